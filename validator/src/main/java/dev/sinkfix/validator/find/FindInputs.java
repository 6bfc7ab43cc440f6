package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.match.Decoder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** What find runs on, checked before anything runs: the early layers, one MLP width, the ids, the prompts. */
final class FindInputs {
    private FindInputs() {
    }


    static List<Integer> window(FindSettings s, int layers) {
        if (s.firstLayer() < 0 || s.firstLayer() > s.lastLayer()) {
            throw new BadInputException("--layers " + s.firstLayer() + "-" + s.lastLayer() + " is not a range of layers; "
                    + "expected FIRST-LAST with 0 <= FIRST <= LAST");
        }
        if (s.firstLayer() >= layers) {
            throw new BadInputException("layer " + s.firstLayer() + " does not exist: the model has " + layers
                    + " layers, 0 to " + (layers - 1));
        }
        return IntStream.rangeClosed(s.firstLayer(), Math.min(s.lastLayer(), layers - 1)).boxed().toList();
    }


    static int width(Decoder decoder, List<Integer> window) {
        long width = decoder.layer(window.get(0)).mlp().intermediateSize();
        for (int l : window) {
            long w = decoder.layer(l).mlp().intermediateSize();
            if (w <= 0 || w != width) {
                throw new BadInputException("layer " + l + "'s MLP width is " + (w <= 0 ? "not known from the graph"
                        : w + ", not " + width + " like layer " + window.get(0)) + "; find needs one known width");
            }
        }
        return Math.toIntExact(width);
    }


    /** Three ids spread over the vocabulary, clear of the special ids at the start and of BoS. */
    static List<Long> spreadTokens(long vocab, long bos) {
        long size = vocab > 0 ? vocab : 32_000;
        List<Long> tokens = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            long id = size * i / 4 + 3;
            tokens.add(id == bos ? id + 1 : Math.min(id, size - 1));
        }
        return tokens;
    }


    static List<long[]> variedPrompts(long vocab, FindSettings s) {
        SplittableRandom random = new SplittableRandom(s.seed());
        long size = vocab > 0 ? vocab : 32_000;
        long low = Math.min(3, size - 1);
        List<long[]> prompts = new ArrayList<>();
        for (int p = 0; p < FindSettings.VARIED_PROMPTS; p++) {
            long[] ids = new long[FindSettings.VARIED_LENGTH + 1];
            ids[0] = s.bos();
            for (int t = 1; t < ids.length; t++) {
                ids[t] = low + random.nextLong(Math.max(1, size - low));
            }
            prompts.add(ids);
        }
        return prompts;
    }


    static void checkIds(long vocab, long bos, List<Long> tokens, List<long[]> prompts) {
        List<Long> ids = new ArrayList<>(tokens);
        ids.add(bos);
        for (long id : ids) {
            checkId(vocab, id, "");
        }
        for (int p = 0; p < prompts.size(); p++) {
            long[] prompt = prompts.get(p);
            if (prompt.length < 2) {
                throw new BadInputException("prompt " + (p + 1) + " has no token after BoS to take a typical value "
                        + "from; give prompts of 1 token or more after BoS");
            }
            for (long id : prompt) {
                checkId(vocab, id, "prompt " + (p + 1) + ": ");
            }
        }
    }


    static void checkId(long vocab, long id, String where) {
        if (id < 0 || (vocab > 0 && id >= vocab)) {
            throw new BadInputException(where + "token id " + id + " is outside the vocabulary of " + vocab);
        }
    }
}
