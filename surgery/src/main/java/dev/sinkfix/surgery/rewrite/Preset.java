package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.match.Family;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The sink layers and neurons of the poster's table (PATCH-SEMANTICS.md, "Presets"), with the
 * shape and context of the model each was found in: the MLP width alone does not tell these
 * models apart (Llama-1 and Llama-2 7B share every shape, Mistral-7B and Llama-3-8B share 14336),
 * so {@link PresetEvidence} checks all of it against the graph and the export's own files.
 */
public enum Preset {
    LLAMA_1_7B("llama-1-7b", 2, List.of(7003), 450, new Shape(Family.LLAMA, 32, 4096, 11008, 32, 32, 32000, 2048)),
    LLAMA_2_7B("llama-2-7b", 1, List.of(7890, 10411), 1000, new Shape(Family.LLAMA, 32, 4096, 11008, 32, 32, 32000, 4096)),
    LLAMA_3_8B_INSTRUCT("llama-3-8b-instruct", 1, List.of(198, 2427), 4000,
            new Shape(Family.LLAMA, 32, 4096, 14336, 32, 8, 128256, 8192)),
    MISTRAL_7B_INSTRUCT_V01("mistral-7b-instruct-v0.1", 1, List.of(7310, 8572), 1200,
            new Shape(Family.MISTRAL, 32, 4096, 14336, 32, 8, 32000, 32768));

    /** The published model's configuration ({@code config.json} of the Hugging Face release). */
    public record Shape(Family family, long layers, long hiddenSize, long intermediateSize, long heads, long kvHeads,
                        long vocabSize, long context) {
    }

    private final String id;
    private final int layer;
    private final List<Integer> neurons;
    private final int repeatsWhereItBreaks;
    private final Shape shape;

    Preset(String id, int layer, List<Integer> neurons, int repeatsWhereItBreaks, Shape shape) {
        this.id = id;
        this.layer = layer;
        this.neurons = neurons;
        this.repeatsWhereItBreaks = repeatsWhereItBreaks;
        this.shape = shape;
    }

    public Shape shape() {
        return shape;
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
        return shape.intermediateSize();
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
        if (modelIntermediateSize != shape.intermediateSize()) {
            throw new BadInputException("preset " + id + " is for an intermediate size of " + shape.intermediateSize()
                    + ", but this model's MLP is " + modelIntermediateSize + " wide");
        }
    }
}
