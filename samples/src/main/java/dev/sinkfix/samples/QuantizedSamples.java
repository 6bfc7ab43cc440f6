package dev.sinkfix.samples;

import dev.sinkfix.onnx.Onnx.ModelProto;
import dev.sinkfix.onnx.Onnx.TensorProto;
import dev.sinkfix.surgery.io.ModelSaver;
import dev.sinkfix.surgery.io.OwnedTemp;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.ModelExporter;
import dev.sinkfix.surgery.ir.ModelImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The quantized samples: a float sample put through the pass a real quantizer runs on it. They
 * are kept apart from {@link Samples#presetNames()} because dynamic quantization breaks an exact
 * invariant those presets are tested for (outputs up to the capture position do not depend on
 * later tokens); {@link Samples#sampleNames()} lists both.
 */
public final class QuantizedSamples {
    /** The genai Llama sample, int4 as the genai builder writes it. */
    public static final String INT4 = "llama-genai-int4";
    /** The same with {@code int4_is_symmetric=false}: MatMulNBits with zero points. */
    public static final String INT4_ZERO_POINTS = "llama-genai-int4-zp";
    /** The genai int4 sample with the token embedding as {@code GatherBlockQuantized}. */
    public static final String INT4_GATHER = "llama-genai-int4-gather";
    /** The TorchScript Llama sample after {@code quantize_dynamic} with its default op types (Gather too). */
    public static final String INT8_DYNAMIC_GATHER = "llama-int8-dynamic-gather";
    /** The TorchScript Llama sample after {@code quantize_dynamic}. */
    public static final String INT8_DYNAMIC = "llama-int8-dynamic";
    /** The TorchScript Llama sample after {@code quantize_static(quant_format=QDQ)}. */
    public static final String QDQ = "llama-qdq-int8";

    /** A quantized sample: the float sample it starts from and how it is quantized. */
    public record Entry(String name, String base, Quantization quantization) {
        public SampleSpec baseSpec() {
            return Samples.preset(base);
        }
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add(new Entry(INT4, "llama-genai-fp32", Quantization.MATMUL_NBITS_INT4));
        add(new Entry(INT4_ZERO_POINTS, "llama-genai-fp32", Quantization.MATMUL_NBITS_INT4_ZERO_POINTS));
        add(new Entry(INT4_GATHER, "llama-genai-fp32", Quantization.MATMUL_NBITS_INT4_GATHER));
        add(new Entry(INT8_DYNAMIC, "llama-torch-fp32", Quantization.DYNAMIC_INT8));
        add(new Entry(INT8_DYNAMIC_GATHER, "llama-torch-fp32", Quantization.DYNAMIC_INT8_GATHER));
        add(new Entry(QDQ, "llama-torch-fp32", Quantization.QDQ_INT8));
    }

    private QuantizedSamples() {
    }

    private static void add(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    public static Set<String> names() {
        return ENTRIES.keySet();
    }

    public static Entry entry(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown quantized sample '" + name + "', expected one of "
                    + String.join(", ", ENTRIES.keySet()));
        }
        return e;
    }

    /** Writes the quantized sample into {@code dir} and returns its {@code model.onnx}. */
    public static Path write(String name, Path dir) throws IOException {
        Entry e = entry(name);
        SampleSpec spec = e.baseSpec();
        Files.createDirectories(dir);
        Path modelFile = dir.resolve(SampleWriter.MODEL_FILE);
        switch (e.quantization()) {
            case DYNAMIC_INT8, DYNAMIC_INT8_GATHER -> {
                ModelProto.Builder proto = ModelExporter.export(SpelledOutDecoder.build(spec)).toBuilder();
                DynamicInt8Quantizer.quantize(new QuantGraph(proto.getGraphBuilder()),
                        e.quantization() == Quantization.DYNAMIC_INT8_GATHER);
                save(proto.build(), name, modelFile);
            }
            case MATMUL_NBITS_INT4 -> writeGenaiInt4(spec, name, dir, true, false);
            case MATMUL_NBITS_INT4_ZERO_POINTS -> writeGenaiInt4(spec, name, dir, false, false);
            case MATMUL_NBITS_INT4_GATHER -> writeGenaiInt4(spec, name, dir, true, true);
            case QDQ_INT8 -> {
                ModelProto.Builder proto = ModelExporter.export(SpelledOutDecoder.build(spec)).toBuilder();
                QuantGraph g = new QuantGraph(proto.getGraphBuilder());
                Set<String> activations = QdqQuantizer.activations(g);
                QdqQuantizer.quantize(g, QdqCalibration.ranges(proto.build(), spec, activations));
                save(proto.build(), name, modelFile);
            }
        }
        ExporterConfig.write(spec, dir);
        return modelFile;
    }

    /**
     * The genai sample as the builder writes an int4 model: float graph, int4 pass, then every
     * initializer in one {@code model.onnx.data}, back to back, and the builder's node order.
     */
    private static void writeGenaiInt4(SampleSpec spec, String name, Path dir, boolean symmetric, boolean embedding)
            throws IOException {
        ModelProto.Builder proto = ModelExporter.export(GenaiDecoder.build(spec, ExternalWeights.inline())).toBuilder();
        QuantGraph quantGraph = new QuantGraph(proto.getGraphBuilder());
        Int4Quantizer.quantize(quantGraph, Int4Quantizer.ACCURACY_LEVEL, symmetric);
        if (embedding) {
            Int4Quantizer.quantizeEmbedding(quantGraph);
        }
        ExternalWeights store = new ExternalWeights(true);
        var graph = proto.getGraphBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto t = graph.getInitializer(i);
            long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            graph.setInitializer(i, store.addRaw(t.getName(), DataType.fromCode(t.getDataType()), dims,
                    t.getRawData()).proto());
        }
        Model model = NodeShuffle.shuffle(ModelImporter.importModel(proto.build(), null), spec.seed());
        describe(model, name);
        Path data = dir.resolve(SampleWriter.DATA_FILE);
        Path tmp = OwnedTemp.nameBeside(data);
        try {
            store.write(tmp);
            Files.move(tmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        ModelSaver.create().overwrite(true).save(model, dir.resolve(SampleWriter.MODEL_FILE));
    }

    private static void describe(Model model, String name) {
        model.metadata().put("onnx_sinkfix_sample", name + ": " + model.metadata().getOrDefault("onnx_sinkfix_sample", ""));
    }

    private static void save(ModelProto proto, String name, Path modelFile) throws IOException {
        Model model = ModelImporter.importModel(proto, null);
        describe(model, name);
        ModelSaver.create().overwrite(true).save(model, modelFile);
    }
}
