package dev.sinkfix.runtime.generate;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Generates with a decoder session: one prefill over the (left-padded) prompts, then one call per
 * token that feeds back every piece of state ({@link StatePairs}: the KV cache, a patched model's
 * sink state) and grows {@code attention_mask} and {@code position_ids} as Hugging Face does
 * (positions are {@code cumsum(mask) - 1}; padded slots get position 1 and mask 0).
 *
 * <p>A model with an input it does not know how to fill between steps (a static cache's write
 * index, say) cannot generate: {@link #unavailableReason()} says why, and {@link #fullPass} still
 * runs one pass over a whole prompt.
 */
public final class Generator {
    private final ModelSession session;
    private final DecoderSignature signature;

    public Generator(ModelSession session) {
        this.session = Objects.requireNonNull(session, "session");
        this.signature = DecoderSignature.read(session.inputs(), session.outputs());
    }

    public DecoderSignature signature() {
        return signature;
    }

    public boolean canGenerate() {
        return signature.generationUnavailable().isEmpty();
    }

    /** Why {@link #generate} is refused for this model; empty when it is not. */
    public Optional<String> unavailableReason() {
        return signature.generationUnavailable();
    }

    public Generation generate(long[] prompt, GenerationConfig config, GenerationListener listener) throws OrtException {
        return generate(List.of(prompt), config, listener);
    }

    /**
     * Generates for each prompt; prompts of different lengths are padded on the left.
     *
     * @throws IllegalStateException    when the model cannot generate ({@link #unavailableReason()})
     * @throws IllegalArgumentException for no prompts, an empty prompt, a negative id, or prompts of
     *                                  different lengths for a model without attention_mask
     */
    public Generation generate(List<long[]> prompts, GenerationConfig config, GenerationListener listener)
            throws OrtException {
        Optional<String> unavailable = unavailableReason();
        if (unavailable.isPresent()) {
            throw new IllegalStateException(unavailable.get());
        }
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        Batch batch = Batch.leftPadded(prompts, config.padToken());
        if (!batch.sameLengths() && signature.attentionMask().isEmpty()) {
            throw new IllegalArgumentException("prompts of different lengths need left padding, but the model has "
                    + "no attention_mask input to hide it; generate them one at a time");
        }
        int rows = batch.rows();
        TokenChooser chooser = new TokenChooser(config.sampling());
        List<List<Long>> produced = new ArrayList<>();
        Generation.Finish[] finish = new Generation.Finish[rows];
        for (int r = 0; r < rows; r++) {
            produced.add(new ArrayList<>());
        }
        Set<String> wanted = new LinkedHashSet<>();
        wanted.add(signature.logits().name());
        signature.states().forEach(p -> wanted.add(p.present().name()));

        long prefillNanos = 0;
        List<Long> decodeNanos = new ArrayList<>();
        long[][] stepIds = batch.ids();
        long[][] stepPositions = batch.positions();
        long[][] mask = batch.mask();
        long[] nextPosition = batch.lengths();
        OrtSession.Result previous = null;
        try {
            for (int step = 0; ; step++) {
                if (step == 0) {
                    listener.prefillStarted(rows, batch.columns());
                }
                long start = System.nanoTime();
                OrtSession.Result result;
                try (Feeds feeds = new Feeds()) {
                    TokenFeeds.put(feeds, signature, stepIds, mask, stepPositions);
                    for (StatePair pair : signature.states()) {
                        if (previous == null) {
                            feeds.zeros(pair.past().name(), pair.past().dtype(), pair.firstCallShape(rows));
                        } else {
                            feeds.borrow(pair.past().name(), tensor(previous, pair.present().name()));
                        }
                    }
                    result = session.run(feeds.map(), wanted);
                }
                if (previous != null) {
                    previous.close();
                }
                previous = result;
                float[][] scores = LastLogits.read(output(result, signature.logits().name()), rows);
                long[] chosen = new long[rows];
                for (int r = 0; r < rows; r++) {
                    chosen[r] = finish[r] == null ? chooser.choose(scores[r]) : config.padToken();
                }
                long elapsed = System.nanoTime() - start;
                if (step == 0) {
                    prefillNanos = elapsed;
                    listener.prefillFinished(elapsed);
                } else {
                    decodeNanos.add(elapsed);
                }
                boolean allDone = true;
                for (int r = 0; r < rows; r++) {
                    if (finish[r] != null) {
                        continue;
                    }
                    produced.get(r).add(chosen[r]);
                    listener.token(r, chosen[r]);
                    if (config.stopTokens().contains(chosen[r])) {
                        finish[r] = Generation.Finish.STOP_TOKEN;
                    } else if (produced.get(r).size() >= config.maxNewTokens()) {
                        finish[r] = Generation.Finish.MAX_NEW_TOKENS;
                    } else {
                        allDone = false;
                    }
                }
                if (allDone) {
                    break;
                }
                stepIds = new long[rows][];
                stepPositions = new long[rows][];
                for (int r = 0; r < rows; r++) {
                    stepIds[r] = new long[] {chosen[r]};
                    stepPositions[r] = new long[] {nextPosition[r]++};
                    mask[r] = Arrays.copyOf(mask[r], mask[r].length + 1);
                    mask[r][mask[r].length - 1] = 1;
                }
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
        }
        return new Generation(produced.stream().map(t -> t.stream().mapToLong(Long::longValue).toArray()).toList(),
                Arrays.asList(finish), batch.promptLengths(), prefillNanos,
                decodeNanos.stream().mapToLong(Long::longValue).toArray(), session.provider());
    }

    /**
     * One pass over the whole prompt with an empty past, for any model with {@code input_ids} and
     * logits: the next token it would pick, greedily. Inputs the generator does not know are filled
     * as a first call would most likely have them ({@link FirstCallGuess}); the result lists how.
     *
     * @throws IllegalStateException when the model has no input_ids or no logits
     */
    public FullPass fullPass(long[] prompt) throws OrtException {
        Optional<String> unavailable = signature.fullPassUnavailable();
        if (unavailable.isPresent()) {
            throw new IllegalStateException(unavailable.get());
        }
        Batch batch = Batch.leftPadded(List.of(prompt), 0);
        FixedShape fixed = FixedShape.of(signature.inputIds());
        long[][] ids = fixed.fit(prompt);
        int length = ids[0].length;
        List<String> guesses = new ArrayList<>();
        if (fixed.isFixed()) {
            guesses.add(fixed.describe(prompt.length));
        }
        long start = System.nanoTime();
        try (Feeds feeds = new Feeds()) {
            if (fixed.isFixed()) {
                TokenFeeds.put(feeds, signature, ids, FixedShape.ones(ids), FixedShape.columns(ids));
            } else {
                TokenFeeds.put(feeds, signature, batch.ids(), batch.mask(), batch.positions());
            }
            for (StatePair pair : signature.states()) {
                feeds.zeros(pair.past().name(), pair.past().dtype(), pair.firstCallShape(ids.length));
            }
            FirstCallGuess guess = new FirstCallGuess(signature.inputIds(), length);
            for (IoSpec input : session.inputs()) {
                if (!feeds.map().containsKey(input.name())) {
                    guesses.add(guess.fill(feeds, input));
                }
            }
            try (OrtSession.Result result = session.run(feeds.map(), Set.of(signature.logits().name()))) {
                float[] scores = LastLogits.read(output(result, signature.logits().name()), ids.length,
                        prompt.length - 1)[0];
                long nanos = System.nanoTime() - start;
                return new FullPass(TokenChooser.argmax(scores), scores, nanos, guesses, session.provider());
            }
        }
    }

    private static OnnxTensorLike tensor(OrtSession.Result result, String name) {
        if (output(result, name) instanceof OnnxTensorLike tensor) {
            return tensor;
        }
        throw new IllegalStateException("the model returned " + name + " as something other than a tensor");
    }

    private static OnnxValue output(OrtSession.Result result, String name) {
        return result.get(name).orElseThrow(() -> new IllegalStateException("the model returned no " + name));
    }
}
