package dev.sinkfix.cli.inspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.KvCachePair;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.ClampRecord;
import dev.sinkfix.surgery.rewrite.PatchRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code inspect} reports, as plain data: the JSON schema is these records, field for
 * field, in this order (documented in the README; fields are only ever added).
 */
@JsonPropertyOrder({"schema", "model", "producer", "irVersion", "opsets", "nodes", "externalData", "decoder",
        "sinkfixPatches", "unreadSinkfixMetadata"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InspectReport(String schema, String model, String producer, long irVersion, Map<String, Long> opsets,
                            int nodes, List<DataFile> externalData, DecoderInfo decoder,
                            List<Patch> sinkfixPatches, Map<String, String> unreadSinkfixMetadata) {

    public static final String SCHEMA = "onnx-sinkfix/inspect/1";

    @JsonPropertyOrder({"layer", "site", "neurons", "capturePosition", "toolVersion"})
    /** {@code mode} is replay or clamp; {@code ranges} (clamp only, else null) per neuron. */
    public record Patch(int layer, String site, List<Integer> neurons, int capturePosition, String toolVersion,
                        String mode, List<ClampRange> ranges) {
        static Patch of(PatchRecord r, Model model) {
            List<ClampRange> ranges = ClampRecord.read(model, r.layer()).map(c -> ClampRange.of(r.neurons(), c))
                    .orElse(null);
            return new Patch(r.layer(), r.site().cliName(), r.neurons(), r.capturePosition(), r.toolVersion(),
                    ClampRecord.mode(model, r.layer()), ranges);
        }
    }

    @JsonPropertyOrder({"location", "tensors", "bytes"})
    public record DataFile(String location, int tensors, long bytes) {
    }

    @JsonPropertyOrder({"family", "familyEvidence", "exporter", "exporterEvidence", "layers", "hiddenSize",
            "intermediateSize", "heads", "kvHeads", "headDim", "vocabSize", "dtype", "opset", "inputs",
            "positions", "kvCache", "embeddings", "logits", "layerDetails"})
    public record DecoderInfo(String family, String familyEvidence, String exporter, String exporterEvidence,
                              int layers, long hiddenSize, long intermediateSize, long heads, long kvHeads,
                              long headDim, long vocabSize, String dtype, long opset, Inputs inputs,
                              String positions, List<Kv> kvCache, String embeddings, String logits,
                              List<Layer> layerDetails) {
    }

    @JsonPropertyOrder({"inputIds", "attentionMask", "positionIds"})
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Inputs(String inputIds, String attentionMask, String positionIds) {
    }

    @JsonPropertyOrder({"layer", "pastKey", "pastValue", "presentKey", "presentValue"})
    public record Kv(int layer, String pastKey, String pastValue, String presentKey, String presentValue) {
    }

    @JsonPropertyOrder({"index", "nameHint", "sites", "attention", "attentionOutput", "mlpOutput", "residualAfter"})
    public record Layer(int index, String nameHint, Map<String, String> sites, Attention attention,
                        String attentionOutput, String mlpOutput, String residualAfter) {
    }

    @JsonPropertyOrder({"kind", "heads", "kvHeads", "probabilities", "note"})
    public record Attention(String kind, long heads, long kvHeads, String probabilities, String note) {
    }

    /** The report of a model; {@code decoder} null leaves the decoder part out (the caller reports why). */
    public static InspectReport of(Model model, Decoder decoder) {
        Map<String, Long> opsets = new LinkedHashMap<>();
        model.extras().getOpsetImportList().forEach(o ->
                opsets.put(o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain(), o.getVersion()));
        Map<String, String> unread = PatchRecord.unreadKeys(model);
        return new InspectReport(SCHEMA, String.valueOf(model.source()), model.producer(), model.irVersion(),
                opsets, model.graph().allNodes().size(), externalData(model),
                decoder == null ? null : decoderInfo(decoder), PatchRecord.readAll(model).stream().map(r -> Patch.of(r, model)).toList(),
                unread.isEmpty() ? null : unread);
    }

    private static List<DataFile> externalData(Model model) {
        Map<String, long[]> files = new LinkedHashMap<>();
        for (Value v : model.graph().initializers()) {
            Tensor.ExternalRef ref = v.initializer().external();
            if (ref != null) {
                long[] acc = files.computeIfAbsent(ref.location(), k -> new long[2]);
                acc[0]++;
                acc[1] += v.initializer().byteSize();
            }
        }
        List<DataFile> out = new ArrayList<>();
        files.forEach((k, v) -> out.add(new DataFile(k, (int) v[0], v[1])));
        return out;
    }

    private static DecoderInfo decoderInfo(Decoder d) {
        List<Kv> kv = d.kvCache().stream().map(p -> new Kv(p.layer(), name(p.pastKey()), name(p.pastValue()),
                name(p.presentKey()), name(p.presentValue()))).toList();
        List<Layer> layers = d.layers().stream().map(InspectReport::layer).toList();
        return new DecoderInfo(d.family().name().toLowerCase(), d.familyEvidence(), d.exporter().description(),
                d.exporterEvidence(), d.layers().size(), d.hiddenSize(), d.intermediateSize(), d.heads(),
                d.kvHeads(), d.headDim(), d.vocabSize(), d.dtype().onnxName(), d.opset(),
                new Inputs(name(d.inputIds()), name(d.attentionMask()), name(d.positionIds())),
                positions(d), kv, name(d.embeddings()), name(d.logits()), layers);
    }

    private static Layer layer(DecoderLayer l) {
        Map<String, String> sites = new LinkedHashMap<>();
        for (MlpSite s : MlpSite.values()) {
            sites.put(s.cliName(), l.site(s).name());
        }
        var a = l.attention();
        Attention attention = new Attention(a.kind(), a.heads(), a.kvHeads(), name(a.probabilities()),
                a.whyNoProbabilities());
        return new Layer(l.index(), l.nameHint(), sites, attention, name(l.attentionOutput()), name(l.mlpOutput()),
                l.residualAfter().describe());
    }

    private static String positions(Decoder d) {
        return switch (d.positions()) {
            case POSITION_IDS -> "position_ids input '" + d.positionIds().name() + "'";
            case ATTENTION_MASK -> "cumsum(" + d.attentionMask().name() + ") - 1";
            case PAST_LENGTH -> "past length from the shape of '" + d.kvCache().get(0).pastKey().name() + "' + t";
            case NONE -> "unknown: no position_ids, attention_mask or KV cache input";
        };
    }

    private static String name(Value v) {
        return v == null ? null : v.name();
    }
}
