package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;
import java.util.Map;

/**
 * What the architecture matcher found in a model. Sizes are -1 where the graph does not say.
 * The values point into the model's IR, so rewrites start from here instead of searching by name.
 * {@code notes} say what the matcher checked and why each failed candidate failed ({@code inspect --explain}).
 */
public record Decoder(
        Family family, String familyEvidence,
        ExporterStyle exporter, String exporterEvidence,
        Graph graph,
        List<DecoderLayer> layers,
        long hiddenSize, long intermediateSize, long heads, long kvHeads, long headDim, long vocabSize,
        DataType dtype, long opset, Map<String, Long> opsets,
        Value inputIds, Value attentionMask, Value positionIds,
        PositionSource positions, List<KvCachePair> kvCache,
        Value embeddings, Value logits, List<String> notes) {

    public DecoderLayer layer(int index) {
        return layers.get(index);
    }
}
