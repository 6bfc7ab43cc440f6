package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The named sample models. Tests, the README's demo and benchmarks refer to a model by preset
 * name instead of shipping binaries; the same name always yields the same file.
 *
 * <p>Small presets (2 layers for Llama, 3 for Mistral, hidden 64, 4 heads of 16) run in
 * milliseconds on a CPU. Presets of one family share their seed, so the TORCH, GENAI and DYNAMO
 * writings of a family compute the same function. {@code mid} is big enough for timings that
 * mean something; {@link #llama2_7bShape()} is for a skeleton of the real size.
 *
 * <p>{@value SinkSample#PRESET} and {@value SinkSample#GENAI_PRESET} have the small Llama shape
 * (512 positions) and the Llama seed's random weights with the attention-sink phenomenon built
 * in: see {@link SinkSample}.
 */
public final class Samples {
    private static final long LLAMA_SEED = 20_240_611L;
    private static final long MISTRAL_SEED = 20_231_011L;
    private static final Map<String, SampleSpec> PRESETS = new LinkedHashMap<>();

    static {
        for (Family family : Family.values()) {
            for (ExportStyle style : new ExportStyle[] {ExportStyle.TORCH, ExportStyle.GENAI}) {
                for (Precision dtype : Precision.values()) {
                    add(small(family, style, dtype));
                }
            }
        }
        add(small(Family.LLAMA, ExportStyle.DYNAMO, Precision.FP32));
        add(small(Family.MISTRAL, ExportStyle.DYNAMO, Precision.FP32));
        PRESETS.put(SinkSample.PRESET, SinkSample.spec(ExportStyle.TORCH, Precision.FP32, LLAMA_SEED));
        PRESETS.put(SinkSample.GENAI_PRESET, SinkSample.spec(ExportStyle.GENAI, Precision.FP16, LLAMA_SEED));
        PRESETS.put("mid", new SampleSpec(Family.LLAMA, ExportStyle.TORCH, Precision.FP32, 8, 1024, 2816, 16, 16,
                32_000, 2048, LLAMA_SEED));
    }

    private Samples() {
    }

    /** The preset names, small ones first, in a stable order. */
    public static Set<String> presetNames() {
        return PRESETS.keySet();
    }

    /** Every name {@link #write(String, Path)} takes: the presets, then the {@link QuantizedSamples}. */
    public static Set<String> sampleNames() {
        Set<String> names = new LinkedHashSet<>(PRESETS.keySet());
        names.addAll(QuantizedSamples.names());
        return names;
    }

    /**
     * The preset of this name ({@code llama-torch-fp32}, {@code mistral-genai-fp16}, {@code llama-sink-fp32},
     * {@code mid}, ...).
     */
    public static SampleSpec preset(String name) {
        SampleSpec spec = PRESETS.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("unknown sample '" + name + "', expected one of "
                    + String.join(", ", PRESETS.keySet()));
        }
        return spec;
    }

    /** The small preset's name for a family, style and dtype, e.g. {@code mistral-genai-fp16}. */
    public static String presetName(Family family, ExportStyle style, Precision dtype) {
        return (family + "-" + style + "-" + dtype).toLowerCase(Locale.ROOT);
    }

    /**
     * The graph in memory, weights inline for the PyTorch styles. A GENAI model's weights are
     * references to a {@code model.onnx.data} that only {@link #write} creates: enough for graph
     * surgery, not for running or saving it.
     */
    public static Model build(SampleSpec spec) {
        if (spec.style() == ExportStyle.GENAI) {
            return NodeShuffle.shuffle(GenaiDecoder.build(spec, new ExternalWeights(false)), spec.seed());
        }
        return SpelledOutDecoder.build(spec);
    }

    /** Writes the sample into {@code dir} and returns its {@code model.onnx}. */
    public static Path write(SampleSpec spec, Path dir) throws IOException {
        return SampleWriter.write(spec, dir);
    }

    /** Writes the preset or quantized sample of this name (see {@link #sampleNames()}). */
    public static Path write(String preset, Path dir) throws IOException {
        if (QuantizedSamples.names().contains(preset)) {
            return QuantizedSamples.write(preset, dir);
        }
        return SampleWriter.write(preset(preset), dir);
    }

    /** Llama-2-7B's shape in the genai style, fp16: 32 layers, hidden 4096, intermediate 11008, vocab 32000. */
    public static SampleSpec llama2_7bShape() {
        return new SampleSpec(Family.LLAMA, ExportStyle.GENAI, Precision.FP16, 32, 4096, 11_008, 32, 32, 32_000,
                4096, LLAMA_SEED);
    }

    /** Writes {@link #llama2_7bShape()} with a sparse ~13 GB data file; see {@link SampleWriter#writeSkeleton}. */
    public static Path writeLlama2_7bSkeleton(Path dir) throws IOException {
        return SampleWriter.writeSkeleton(llama2_7bShape(), dir);
    }

    private static SampleSpec small(Family family, ExportStyle style, Precision dtype) {
        boolean llama = family == Family.LLAMA;
        return new SampleSpec(family, style, dtype, llama ? 2 : 3, 64, 176, 4, llama ? 4 : 2, 256, 128,
                llama ? LLAMA_SEED : MISTRAL_SEED);
    }

    private static void add(SampleSpec spec) {
        PRESETS.put(presetName(spec.family(), spec.style(), spec.dtype()), spec);
    }
}
