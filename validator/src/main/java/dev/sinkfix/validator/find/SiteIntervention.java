package dev.sinkfix.validator.find;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderLayer;
import dev.sinkfix.surgery.match.MlpSite;
import java.util.List;

/**
 * Two extra inputs per layer on the scratch copy, so one session can zero or pin any neurons at
 * any position without a new graph per try: every reader of the site reads
 * {@code site * find.keep.{L} + find.fill.{L}}, with both inputs {@code [positions or 1,
 * neurons]} (broadcast over the batch of one row; a flattened Gemm site is {@code [seq, n]} for
 * one row too). Fed ones and zeros, the site is exactly what it was ({@code x * 1 + 0 == x}).
 */
final class SiteIntervention {
    static final String KEEP = "find.keep.";
    static final String FILL = "find.fill.";

    private SiteIntervention() {
    }

    static void apply(Decoder decoder, List<Integer> layers, MlpSite site) {
        Graph graph = decoder.graph();
        DataType dtype = decoder.dtype();
        for (int l : layers) {
            DecoderLayer layer = decoder.layer(l);
            Value tensor = layer.site(site);
            long width = layer.mlp().intermediateSize();
            // Each input its own positions axis: one name would tell ONNX Runtime they are always equal.
            Value keep = graph.addInput(KEEP + l, TensorType.of(dtype, Dim.named("keep_positions_" + l), Dim.of(width)));
            Value fill = graph.addInput(FILL + l, TensorType.of(dtype, Dim.named("fill_positions_" + l), Dim.of(width)));
            List<Use> readers = List.copyOf(tensor.uses());
            String prefix = "/sinkfix/find/layers." + l + "/";
            Node times = graph.addNode("Mul", "", graph.freshNodeName(prefix + "keep"), List.of(tensor, keep),
                    List.of(graph.freshValueName(prefix + "keep/output_0")));
            Node plus = graph.addNode("Add", "", graph.freshNodeName(prefix + "fill"), List.of(times.output(0), fill),
                    List.of(graph.freshValueName(prefix + "fill/output_0")));
            for (Use use : readers) {
                use.node().setInput(use.index(), plus.output(0));
            }
        }
        graph.topologicalSort();
    }
}
