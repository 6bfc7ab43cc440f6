package dev.sinkfix.runtime.generate;

import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.surgery.ir.DataType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a decoder is called, read from its inputs and outputs: the token, mask and position inputs,
 * the logits, the state it threads ({@link StatePairs}), and every input the generator would not
 * know how to fill from one call to the next. Nothing here runs the model.
 */
public final class DecoderSignature {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String POSITION_IDS = "position_ids";
    static final String LOGITS = "logits";
    private static final Set<DataType> INDEX_TYPES = Set.of(DataType.INT64, DataType.INT32);

    private final IoSpec inputIds;
    private final IoSpec attentionMask;
    private final IoSpec positionIds;
    private final IoSpec logits;
    private final List<StatePair> states;
    private final List<IoSpec> unknownInputs;
    private final List<String> problems;

    private DecoderSignature(IoSpec inputIds, IoSpec attentionMask, IoSpec positionIds, IoSpec logits,
                             List<StatePair> states, List<IoSpec> unknownInputs, List<String> problems) {
        this.inputIds = inputIds;
        this.attentionMask = attentionMask;
        this.positionIds = positionIds;
        this.logits = logits;
        this.states = List.copyOf(states);
        this.unknownInputs = List.copyOf(unknownInputs);
        this.problems = List.copyOf(problems);
    }

    public static DecoderSignature read(List<IoSpec> inputs, List<IoSpec> outputs) {
        Map<String, IoSpec> in = new LinkedHashMap<>();
        inputs.forEach(i -> in.put(i.name(), i));
        List<String> problems = new ArrayList<>();
        IoSpec ids = index(in.get(INPUT_IDS), problems);
        IoSpec mask = index(in.get(ATTENTION_MASK), problems);
        IoSpec positions = index(in.get(POSITION_IDS), problems);
        if (ids == null && !in.containsKey(INPUT_IDS)) {
            problems.add("it has no input_ids input (inputs: " + String.join(", ", in.keySet()) + ")");
        }
        String batchDim = ids != null && ids.rank() == 2 ? ids.dimNames().get(0) : "";
        StatePairs.Found found = StatePairs.find(inputs, outputs, batchDim);
        found.problems().forEach((name, why) -> problems.add("state input " + name + " cannot be threaded: " + why));

        Set<String> known = new HashSet<>(Set.of(INPUT_IDS, ATTENTION_MASK, POSITION_IDS));
        found.pairs().forEach(p -> known.add(p.past().name()));
        List<IoSpec> unknown = new ArrayList<>();
        for (IoSpec input : inputs) {
            if (!known.contains(input.name()) && !found.problems().containsKey(input.name())) {
                unknown.add(input);
                problems.add("input " + input + " is not one it can fill between steps");
            }
        }
        if (found.pairs().stream().noneMatch(p -> p.lengthAxis() >= 0) && problems.isEmpty()) {
            // Decode steps of one token would forget the prompt: each call must be the whole sequence.
            problems.add("it has no KV cache (no past*/present* pair), so every call must hold the whole sequence");
        }
        IoSpec logits = logits(outputs);
        if (logits == null) {
            problems.add("it has no logits output [batch, sequence, vocab] (outputs: "
                    + String.join(", ", outputs.stream().map(IoSpec::name).toList()) + ")");
        }
        return new DecoderSignature(ids, mask, positions, logits, found.pairs(), unknown, problems);
    }

    private static IoSpec index(IoSpec spec, List<String> problems) {
        if (spec == null) {
            return null;
        }
        if (!INDEX_TYPES.contains(spec.dtype()) || spec.rank() != 2) {
            problems.add("input " + spec + " is not an int64 or int32 [batch, sequence] tensor");
            return null;
        }
        return spec;
    }

    /** {@code logits}, else the one rank-3 floating-point output that is not state. */
    private static IoSpec logits(List<IoSpec> outputs) {
        List<IoSpec> candidates = new ArrayList<>();
        for (IoSpec out : outputs) {
            boolean floating = out.dtype().isFloatingPoint();
            if (out.name().equals(LOGITS) && floating && (out.rank() == 3 || out.rank() == 2)) {
                return out;
            }
            if (floating && out.rank() == 3 && !out.name().startsWith("present")) {
                candidates.add(out);
            }
        }
        return candidates.size() == 1 ? candidates.get(0) : null;
    }

    public IoSpec inputIds() {
        return inputIds;
    }

    public Optional<IoSpec> attentionMask() {
        return Optional.ofNullable(attentionMask);
    }

    public Optional<IoSpec> positionIds() {
        return Optional.ofNullable(positionIds);
    }

    public IoSpec logits() {
        return logits;
    }

    public List<StatePair> states() {
        return states;
    }

    /** Inputs that are neither tokens, mask, positions nor paired state; the generator cannot feed them. */
    public List<IoSpec> unknownInputs() {
        return unknownInputs;
    }

    /** Why token-by-token generation with the cache is not available; empty when it is. */
    public Optional<String> generationUnavailable() {
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("generation is not available for this model: " + String.join("; ", problems)
                + " (onnx-sinkfix fills input_ids, attention_mask, position_ids and past*/present* state)");
    }

    /** Why not even one pass over a whole prompt can be run; empty when it can. */
    public Optional<String> fullPassUnavailable() {
        if (inputIds == null) {
            return Optional.of("cannot run the model on token ids: " + problems.get(0));
        }
        if (logits == null) {
            return Optional.of("cannot read next-token scores: "
                    + problems.stream().filter(p -> p.contains("logits")).findFirst().orElse("no logits output"));
        }
        return Optional.empty();
    }
}
