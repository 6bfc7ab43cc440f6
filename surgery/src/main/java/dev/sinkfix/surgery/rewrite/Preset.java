package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The sink layers and neurons of the poster's table (PATCH-SEMANTICS.md, "Presets"). */
public enum Preset {
    LLAMA_1_7B("llama-1-7b", 2, List.of(7003), 11008, 450),
    LLAMA_2_7B("llama-2-7b", 1, List.of(7890, 10411), 11008, 1000),
    LLAMA_3_8B_INSTRUCT("llama-3-8b-instruct", 1, List.of(198, 2427), 14336, 4000),
    MISTRAL_7B_INSTRUCT_V01("mistral-7b-instruct-v0.1", 1, List.of(7310, 8572), 14336, 1200);

    private final String id;
    private final int layer;
    private final List<Integer> neurons;
    private final long intermediateSize;
    private final int repeatsWhereItBreaks;

    Preset(String id, int layer, List<Integer> neurons, long intermediateSize, int repeatsWhereItBreaks) {
        this.id = id;
        this.layer = layer;
        this.neurons = neurons;
        this.intermediateSize = intermediateSize;
        this.repeatsWhereItBreaks = repeatsWhereItBreaks;
    }

    public String id() {
        return id;
    }

    public int layer() {
        return layer;
    }

    public List<Integer> neurons() {
        return neurons;
    }

    public long intermediateSize() {
        return intermediateSize;
    }

    public int repeatsWhereItBreaks() {
        return repeatsWhereItBreaks;
    }

    public static Preset byId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst().orElseThrow(() ->
                new BadInputException("unknown preset '" + id + "'; expected one of " + ids()));
    }

    public static String ids() {
        return Arrays.stream(values()).map(Preset::id).collect(Collectors.joining(", "));
    }

    /** Refuses a model whose MLP width is not the one this preset's neuron ids index. */
    public void checkFits(long modelIntermediateSize) {
        if (modelIntermediateSize != intermediateSize) {
            throw new BadInputException("preset " + id + " is for an intermediate size of " + intermediateSize
                    + ", but this model's MLP is " + modelIntermediateSize + " wide");
        }
    }
}
