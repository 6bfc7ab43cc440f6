package dev.sinkfix.cli.inspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.ExportConfig;
import dev.sinkfix.surgery.match.Family;
import dev.sinkfix.surgery.match.KvCachePair;
import dev.sinkfix.surgery.match.MergedDecoder;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.ClampRecord;
import dev.sinkfix.surgery.rewrite.PatchRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code inspect} reports, as plain data: the JSON schema is these records, field for
 * field, in this order, with snake_case keys ({@link dev.sinkfix.cli.Json}; documented in the
 * README; fields are only ever added). Version 2 renamed version 1's camelCase keys.
 */
@JsonPropertyOrder({"schema", "model", "producer", "ir_version", "opsets", "nodes", "external_data", "decoder",
        "merged_decoder", "sinkfix_patches", "unread_sinkfix_metadata", "unreadable_sinkfix_metadata", "missing_data",
        "explain"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InspectReport(String schema, String model, String producer, long irVersion, Map<String, Long> opsets,
                            int nodes, List<DataFile> externalData, DecoderInfo decoder,
                            @JsonProperty("merged_decoder") Merged merged,
                            List<Patch> sinkfixPatches, Map<String, String> unreadSinkfixMetadata,
                            @JsonProperty("unreadable_sinkfix_metadata") Map<String, String> whyUnreadable,
                            @JsonProperty("missing_data") List<String> missingData,
                            List<String> explain) {

    public static final String SCHEMA = "onnx-sinkfix/inspect/2";

    /** {@code mode} is replay or clamp; {@code ranges} (clamp only, else null) per neuron. */
    @JsonPropertyOrder({"layer", "site", "neurons", "capture_position", "tool_version", "mode", "ranges"})
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

    @JsonPropertyOrder({"family", "model_type", "family_evidence", "exporter", "exporter_evidence", "layers",
            "hidden_size", "intermediate_size", "heads", "kv_heads", "head_dim", "vocab_size", "dtype", "opset", "inputs",
            "positions", "kv_cache", "embeddings", "logits", "layer_details"})
    public record DecoderInfo(String family, @JsonProperty("model_type") String modelType, String familyEvidence, String exporter, String exporterEvidence,
                              int layers, long hiddenSize, long intermediateSize, long heads, long kvHeads,
                              long headDim, long vocabSize, String dtype, long opset, Inputs inputs,
                              String positions, List<Kv> kvCache, String embeddings, String logits,
                              List<Layer> layerDetails) {
    }

    @JsonPropertyOrder({"input_ids", "attention_mask", "position_ids"})
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Inputs(String inputIds, String attentionMask, String positionIds) {
    }

    @JsonPropertyOrder({"layer", "past_key", "past_value", "present_key", "present_value"})
    public record Kv(int layer, String pastKey, String pastValue, String presentKey, String presentValue) {
    }

    /** {@code recognized} false: the MLP could not be read, {@code sites} is empty and {@code why_not_recognized} says why. */
    @JsonPropertyOrder({"index", "name_hint", "recognized", "why_not_recognized", "sites", "attention",
            "attention_output", "mlp_output", "residual_after"})
    public record Layer(int index, String nameHint, boolean recognized,
                        @JsonProperty("why_not_recognized") @JsonInclude(JsonInclude.Include.NON_NULL) String whyNotRecognized,
                        Map<String, String> sites, Attention attention,
                        String attentionOutput, String mlpOutput, String residualAfter) {
    }

    @JsonPropertyOrder({"kind", "heads", "kv_heads", "probabilities", "note"})
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
                decoder == null ? null : decoderInfo(model, decoder), null,
                PatchRecord.readAll(model).stream().map(r -> Patch.of(r, model)).toList(),
                unread.isEmpty() ? null : unread, unread.isEmpty() ? null : PatchRecord.problems(model), null, null);
    }

    /** The same report naming the external data files that are absent (left out of the JSON when none are). */
    public InspectReport withMissingData(List<String> missing) {
        return new InspectReport(schema, model, producer, irVersion, opsets, nodes, externalData, decoder, merged,
                sinkfixPatches, unreadSinkfixMetadata, whyUnreadable, missing.isEmpty() ? null : List.copyOf(missing),
                explain);
    }

    /**
     * optimum's merged decoder: {@code decoder} describes the branch with past, {@code merged_decoder}
     * names the If and its condition and describes the branch without past as well.
     */
    @JsonPropertyOrder({"branch_node", "condition", "with_past_branch", "without_past_branch", "without_past"})
    public record Merged(@JsonProperty("branch_node") String branchNode, String condition,
                         @JsonProperty("with_past_branch") String withPastBranch,
                         @JsonProperty("without_past_branch") String withoutPastBranch,
                         @JsonProperty("without_past") DecoderInfo withoutPast) {
    }

    public static InspectReport ofMerged(Model model, MergedDecoder merged) {
        InspectReport r = of(model, merged.withPast());
        Merged m = new Merged(merged.branchNode().name(), merged.useCacheBranch().name(), merged.withPastLabel(),
                merged.withoutPastLabel(), decoderInfo(model, merged.withoutPast()));
        return new InspectReport(r.schema, r.model, r.producer, r.irVersion, r.opsets, r.nodes, r.externalData,
                r.decoder, m, r.sinkfixPatches, r.unreadSinkfixMetadata, r.whyUnreadable, r.missingData, r.explain);
    }

    /** The same report with the matcher's notes: what it checked and why each failed candidate failed. */
    public InspectReport withExplanation(List<String> notes) {
        return new InspectReport(schema, model, producer, irVersion, opsets, nodes, externalData, decoder, merged,
                sinkfixPatches, unreadSinkfixMetadata, whyUnreadable, missingData, List.copyOf(notes));
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

    /**
     * The family as the export names it: {@code llama}, {@code mistral}, or another family's own
     * model type ({@code qwen2}, ...), never "llama" for a model that says it is something else.
     */
    private static String familyName(Decoder d, ExportConfig typed) {
        if (d.family() == Family.OTHER && typed != null) {
            return typed.modelType().toLowerCase(Locale.ROOT);
        }
        return d.family().name().toLowerCase(Locale.ROOT);
    }

    private static DecoderInfo decoderInfo(Model model, Decoder d) {
        List<Kv> kv = d.kvCache().stream().map(p -> new Kv(p.layer(), name(p.pastKey()), name(p.pastValue()),
                name(p.presentKey()), name(p.presentValue()))).toList();
        List<Layer> layers = d.layers().stream().map(InspectReport::layer).toList();
        ExportConfig typed = ExportConfig.firstWithType(ExportConfig.read(model.baseDir()));
        return new DecoderInfo(familyName(d, typed), typed == null ? null : typed.modelType(), d.familyEvidence(), d.exporter().description(),
                d.exporterEvidence(), d.layers().size(), d.hiddenSize(), d.intermediateSize(), d.heads(),
                d.kvHeads(), d.headDim(), d.vocabSize(), d.dtype().onnxName(), d.opset(),
                new Inputs(name(d.inputIds()), name(d.attentionMask()), name(d.positionIds())),
                positions(d), kv, name(d.embeddings()), name(d.logits()), layers);
    }

    private static Layer layer(DecoderLayer l) {
        Map<String, String> sites = new LinkedHashMap<>();
        if (l.recognized()) {
            for (MlpSite s : MlpSite.values()) {
                sites.put(s.cliName(), l.site(s).name());
            }
        }
        var a = l.attention();
        Attention attention = new Attention(a.kind(), a.heads(), a.kvHeads(), name(a.probabilities()),
                a.whyNoProbabilities());
        return new Layer(l.index(), l.nameHint(), l.recognized(), l.whyUnrecognized(), sites, attention, name(l.attentionOutput()), name(l.mlpOutput()),
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
