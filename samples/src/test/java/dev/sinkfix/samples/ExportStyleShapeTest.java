package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each style carries the habits of its exporter that surgery has to cope with. */
class ExportStyleShapeTest {
    @TempDir
    Path dir;

    @Test
    void torchScriptNamesModulePathsAndSpellsEverythingOut() throws Exception {
        Model m = load("mistral-torch-fp16");
        Graph g = m.graph();
        Node up = node(g, "/model/layers.1/mlp/up_proj/MatMul");
        assertEquals("/model/layers.1/mlp/up_proj/MatMul_output_0", up.output(0).name());
        assertTrue(up.input(1).name().startsWith("onnx::MatMul_"), up.input(1).name());
        assertEquals(java.util.List.of(64L, 176L), up.input(1).initializer().dims(), "[in, out] layout");
        assertNotNull(node(g, "/model/layers.1/Add"));
        assertNotNull(node(g, "/model/layers.1/Add_1"));
        assertNotNull(node(g, "/model/layers.1/mlp/act_fn/Sigmoid"));
        assertNotNull(node(g, "/model/layers.1/self_attn/Softmax"));
        Node maskAdd = node(g, "/model/layers.1/self_attn/Softmax").input(0).producer();
        Node castUp = maskAdd.input(0).producer();
        assertEquals("Cast", castUp.opType(), "fp16 scores are cast to fp32 before mask and softmax");
        assertEquals(DataType.FLOAT.code(), castUp.intAttribute("to", -1));
        assertEquals(3, count(g, "Softmax"));
        assertEquals(0, g.opHistogram().keySet().stream().filter(k -> k.contains(":")).count(), "standard ops only");
        assertTrue(g.isTopologicallySorted());
        assertEquals(17, m.opsetVersion(""));
        assertEquals("onnx-sinkfix samples 0.1.0", m.producer());
        assertCommonIo(g, 3, DataType.FLOAT16);
    }

    @Test
    void genaiUsesContribOpsExternalDataAndNoOrder() throws Exception {
        Model m = load("llama-genai-fp16");
        Graph g = m.graph();
        Map<String, Integer> ops = g.opHistogram();
        assertEquals(1, ops.get("SimplifiedLayerNormalization"));
        assertEquals(4, ops.get("com.microsoft:SkipSimplifiedLayerNormalization"));
        assertEquals(2, ops.get("com.microsoft:MultiHeadAttention"));
        assertEquals(4, ops.get("com.microsoft:RotaryEmbedding"));
        assertFalse(ops.containsKey("Softmax"), "attention probabilities never exist as a tensor");
        Node skip = node(g, "/model/layers.1/input_layernorm/SkipLayerNorm");
        assertEquals("/model/layers.1/input_layernorm/output_3", skip.output(3).name());
        assertEquals("/model/layers.0/mlp/down_proj/MatMul/output_0", skip.input(1).name());
        Node up = node(g, "/model/layers.1/mlp/up_proj/MatMul");
        assertEquals("/model/layers.1/mlp/up_proj/MatMul/output_0", up.output(0).name());
        assertEquals("model.layers.1.mlp.up_proj.MatMul.weight", up.input(1).name());
        for (Value init : g.initializers()) {
            assertTrue(init.initializer().isExternal(), init.name() + " should be in external data");
            assertEquals(SampleWriter.DATA_FILE, init.initializer().external().location());
        }
        assertFalse(g.isTopologicallySorted(), "genai exports are not topologically sorted");
        assertEquals(14, m.opsetVersion(""));
        assertEquals(1, m.opsetVersion("com.microsoft"));
        assertCommonIo(g, 2, DataType.FLOAT16);
    }

    @Test
    void genaiMistralUsesGroupQueryAttention() throws Exception {
        Graph g = load("mistral-genai-fp32").graph();
        assertEquals(3, g.opHistogram().get("com.microsoft:GroupQueryAttention"));
        assertFalse(g.opHistogram().containsKey("com.microsoft:MultiHeadAttention"));
        Node gqa = node(g, "/model/layers.2/attn/GroupQueryAttention");
        assertEquals("present.2.key", gqa.output(1).name());
        assertEquals("/model/attn_mask_reformat/Tile/output_0", gqa.input(10).name(), "padding reaches GQA as a bias");
    }

    @Test
    void dynamoHasNoLayerPathsAndFlattensTheMlp() throws Exception {
        Model m = load("llama-dynamo-fp32");
        Graph g = m.graph();
        for (Node n : g.nodes()) {
            assertFalse(n.name().contains("layers."), "node name " + n.name());
            for (Value out : n.outputs()) {
                assertFalse(out.name().contains("layers."), "value name " + out.name());
            }
        }
        assertEquals(6, count(g, "Gemm"));
        Value upWeight = g.value("p_model_layers_1_mlp_up_proj_weight");
        assertNotNull(upWeight);
        assertEquals(java.util.List.of(176L, 64L), upWeight.initializer().dims(), "Hugging Face [out, in] layout");
        Node gemm = upWeight.consumers().get(0);
        assertEquals("Gemm", gemm.opType());
        assertEquals(1, gemm.intAttribute("transB", 0));
        assertEquals("Reshape", gemm.input(0).producer().opType(), "the MLP input is flattened to 2-D");
        assertTrue(gemm.output(0).name().startsWith("linear"), gemm.output(0).name());
        assertTrue(g.isTopologicallySorted());
        assertEquals(18, m.opsetVersion(""));
        assertCommonIo(g, 2, DataType.FLOAT);
    }

    private Model load(String preset) throws Exception {
        return ModelLoader.load(Samples.write(preset, dir.resolve(preset)));
    }

    private static void assertCommonIo(Graph g, int layers, DataType dtype) {
        assertEquals(3 + 2 * layers, g.inputs().size());
        assertEquals(1 + 2 * layers, g.outputs().size());
        assertEquals("input_ids", g.inputs().get(0).name());
        assertEquals(DataType.INT64, g.input("attention_mask").dtype());
        assertEquals(DataType.INT64, g.input("position_ids").dtype());
        Value past = g.input("past_key_values." + (layers - 1) + ".value");
        assertEquals(dtype, past.dtype());
        assertEquals(4, past.tensorType().rank());
        assertNotNull(past.tensorType().dim(2).param(), "symbolic past length");
        assertEquals("logits", g.outputs().get(0).name());
        assertEquals(3, g.output("logits").tensorType().rank());
        assertNotNull(g.output("present." + (layers - 1) + ".key"));
    }

    private static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node named " + name));
    }

    private static long count(Graph g, String op) {
        return g.nodes().stream().filter(n -> n.opType().equals(op)).count();
    }
}
