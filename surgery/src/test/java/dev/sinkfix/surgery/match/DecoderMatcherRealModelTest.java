package dev.sinkfix.surgery.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.SharedModels;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import org.junit.jupiter.api.Test;

/** The matcher on the one real onnxruntime-genai export: every figure below is read off its config and graph. */
class DecoderMatcherRealModelTest {

    @Test
    void findsTheGenaiLlamaLayout() throws Exception {
        Model model = ModelLoader.load(SharedModels.tinyLlamaGenaiFp16());
        Decoder d = DecoderMatcher.match(model);

        assertEquals(ExporterStyle.GENAI, d.exporter());
        assertEquals(Family.LLAMA, d.family());
        assertTrue(d.familyEvidence().contains("genai_config.json"), d.familyEvidence());
        assertEquals(2, d.layers().size());
        assertEquals(16, d.hiddenSize());
        assertEquals(64, d.intermediateSize());
        assertEquals(1, d.heads());
        assertEquals(1, d.kvHeads());
        assertEquals(16, d.headDim());
        assertEquals(32000, d.vocabSize());
        assertEquals(DataType.FLOAT16, d.dtype());
        assertEquals(14, d.opset());
        assertEquals(PositionSource.POSITION_IDS, d.positions());
        assertEquals("input_ids", d.inputIds().name());
        assertEquals("attention_mask", d.attentionMask().name());
        assertEquals("position_ids", d.positionIds().name());
        assertEquals("logits", d.logits().name());
        assertEquals("/model/embed_tokens/Gather/output_0", d.embeddings().name());

        DecoderLayer l1 = d.layer(1);
        assertEquals("layers.1", l1.nameHint());
        assertEquals("/model/layers.1/mlp/up_proj/MatMul/output_0", l1.site(MlpSite.UP).name());
        assertEquals("/model/layers.1/mlp/gate_proj/MatMul/output_0", l1.site(MlpSite.GATE).name());
        assertEquals("/model/layers.1/mlp/Mul/output_0", l1.site(MlpSite.ACT).name());
        assertEquals("/model/layers.1/attn/o_proj/MatMul/output_0", l1.attentionOutput().name());
        assertEquals("/model/layers.0/post_attention_layernorm/output_3", d.layer(0).residualAfter().producer()
                .input(0).name().replace("post_attention_layernorm", "post_attention_layernorm"));
        assertEquals("/model/layers.1/input_layernorm/output_3", d.layer(0).residualAfter().value().name());
        // The final norm writes no residual sum: the slot is there, its value is not.
        assertNull(l1.residualAfter().value());
        assertEquals("/model/layers.2/final_norm_layernorm/SkipLayerNorm", l1.residualAfter().producer().name());
        assertTrue(l1.attention().isFused());
        assertEquals("com.microsoft:MultiHeadAttention", l1.attention().kind());
        assertNotNull(l1.attention().whyNoProbabilities());

        assertEquals(2, d.kvCache().size());
        KvCachePair kv1 = d.kvCache().get(1);
        assertEquals("past_key_values.1.key", kv1.pastKey().name());
        assertEquals("past_key_values.1.value", kv1.pastValue().name());
        assertEquals("present.1.key", kv1.presentKey().name());
        assertEquals("present.1.value", kv1.presentValue().name());
    }
}
