package dev.sinkfix.validator.validate;

import dev.sinkfix.runtime.text.ModelFolder;
import dev.sinkfix.runtime.text.TextTokenizer;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.validator.PaddedBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * The prompts {@code validate} runs: four generated ones that exercise the patch (random ids,
 * BoS and one repeated token, a left-padded batch of two, a prompt of one token), and the user's
 * ({@code --prompts}: one per line, text through the model folder's {@code tokenizer.json} or
 * comma-separated ids).
 */
public final class Prompts {
    private static final Pattern IDS = Pattern.compile("\\s*\\d+(\\s*,\\s*\\d+)*\\s*,?\\s*");
    /** Never a real token's slot: padding is masked, so its id does not matter. */
    private static final long PAD = 0;

    private Prompts() {
    }

    /**
     * @param vocab   vocabulary size; ids are drawn from 3 up, clear of BoS, EoS and padding
     * @param hasMask without an attention mask a model cannot be fed padding: the padded batch is left out
     */
    public static List<Prompt> generated(long vocab, long bos, long token, int repeats, boolean hasMask) {
        List<Prompt> prompts = new ArrayList<>();
        prompts.add(new Prompt("random ids", false, PaddedBatch.of(random(vocab, bos, 12, 101)), 4));
        long[] run = new long[repeats + 1];
        Arrays.fill(run, token);
        run[0] = bos;
        prompts.add(new Prompt("BoS + repeated token", false, PaddedBatch.of(run), Math.max(1, Math.min(3, repeats))));
        if (hasMask) {
            prompts.add(new Prompt("left-padded batch of 2", false,
                    PaddedBatch.leftPadded(PAD, random(vocab, bos, 16, 303), random(vocab, bos, 11, 304)), 12));
        }
        prompts.add(new Prompt("prompt of one token", false, PaddedBatch.of(random(vocab, bos, 9, 404)), 1));
        return prompts;
    }

    /**
     * The prompts of {@code file}: a line of digits and commas is token ids, any other non-blank
     * line is text for the tokenizer beside {@code model}.
     */
    public static List<Prompt> read(Path file, Path model, long vocab) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("cannot read the prompts file " + file + ": no such file");
        }
        List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            throw new BadInputException("the prompts file " + file + " has no prompts (one per line)");
        }
        List<Prompt> prompts = new ArrayList<>();
        TextTokenizer tokenizer = null;
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                long[] ids;
                if (IDS.matcher(line).matches()) {
                    ids = Arrays.stream(line.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                            .mapToLong(Long::parseLong).toArray();
                } else {
                    if (tokenizer == null) {
                        Optional<Path> json = ModelFolder.of(model).tokenizerJson();
                        if (json.isEmpty()) {
                            throw new BadInputException("prompt " + (i + 1) + " of " + file + " is text, and there is "
                                    + "no tokenizer.json beside " + model + "; give token ids (comma-separated) instead");
                        }
                        tokenizer = TextTokenizer.open(json.get());
                    }
                    ids = tokenizer.encode(line);
                }
                for (long id : ids) {
                    if (id < 0 || (vocab > 0 && id >= vocab)) {
                        throw new BadInputException("prompt " + (i + 1) + " of " + file + ": token id " + id
                                + " is outside the vocabulary of " + vocab);
                    }
                }
                if (ids.length == 0) {
                    throw new BadInputException("prompt " + (i + 1) + " of " + file + " has no tokens");
                }
                prompts.add(new Prompt("prompt " + (i + 1), true, PaddedBatch.of(ids), Math.max(1, ids.length / 2)));
            }
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
        return prompts;
    }

    static long[] random(long vocab, long bos, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long low = Math.min(3, Math.max(vocab - 1, 0));
        long[] ids = new long[length];
        ids[0] = bos;
        for (int i = 1; i < length; i++) {
            ids[i] = low + random.nextLong(Math.max(1, vocab - low));
        }
        return ids;
    }
}
