package dev.sinkfix.surgery.match;

import dev.sinkfix.surgery.ir.Domains;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Use;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;

/**
 * The rotary cos table a decoder was exported with, found by the role it plays: the cos input of
 * a rotary or grouped-query attention operator (genai, opset 23), or a 2-D buffer gathered by the
 * position ids (TorchScript exports of {@code rotary_emb.cos_cached}). Its length is the context
 * the exporter built the model for (2048 for Llama-1, 4096 for Llama-2), read from the shape only.
 */
public record RotaryTable(String tensor, long length) {
    /** The table, or null where the graph computes cos/sin on the fly or has no rotary at all. */
    public static RotaryTable find(Model model, Value positionIds) {
        for (Value v : model.graph().initializers()) {
            List<Long> dims = v.initializer().dims();
            if (dims.size() != 2 || dims.get(0) <= 0) {
                continue;
            }
            for (Use use : v.uses()) {
                if (isCosInput(use, positionIds)) {
                    return new RotaryTable(v.name(), dims.get(0));
                }
            }
        }
        return null;
    }

    private static boolean isCosInput(Use use, Value positionIds) {
        Node n = use.node();
        if (n.is(Domains.MICROSOFT, "RotaryEmbedding")) {
            return use.index() == 2; // input, position_ids, cos_cache, sin_cache
        }
        if (n.isStandard("RotaryEmbedding")) {
            return use.index() == 1; // X, cos_cache, sin_cache, position_ids
        }
        if (n.is(Domains.MICROSOFT, "GroupQueryAttention")) {
            return use.index() == 7; // ..., seqlens_k, total_sequence_length, cos_cache, sin_cache
        }
        // A gathered buffer: the first of the cos/sin pair in the graph's order stands for both.
        return n.isStandard("Gather") && use.index() == 0 && positionIds != null && n.input(1) == positionIds;
    }
}
