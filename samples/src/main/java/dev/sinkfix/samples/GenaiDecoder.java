package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Domains;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A decoder as the onnxruntime-genai model builder writes it (see the real export in
 * {@code shared/models}): {@code SimplifiedLayerNormalization} for layer 0's input norm,
 * {@code com.microsoft:SkipSimplifiedLayerNormalization} for every later norm (output 0 the
 * normed input of the next sublayer, output 3 the residual sum, so no residual {@code Add}
 * exists), {@code RotaryEmbedding} and {@code MultiHeadAttention} reading the 4-D attention bias,
 * weights {@code [in, out]} in external data, and a node list that is not topologically sorted.
 *
 * <p>With grouped-query attention ({@code kvHeads < heads}) attention is
 * {@code com.microsoft:GroupQueryAttention}, as the builder writes it for Mistral, but fed so that
 * ONNX Runtime's CPU kernel is right for left-padded batches: separate q/k/v projections with
 * {@code RotaryEmbedding} outside (the kernel's own rotary ignores {@code position_ids} after the
 * prompt), the same 4-D attention bias as {@code MultiHeadAttention} for padding, and
 * {@code seqlens_k = total - 1} for every row (the builder's {@code sum(mask) - 1} assumes right
 * padding). Both shortcuts were measured wrong on ORT 1.23 CPU: logits off by about 2.
 */
final class GenaiDecoder {
    static final int OPSET = 14;
    static final int IR_VERSION = 7;

    private final SampleSpec spec;
    private final ExternalWeights store;
    private final GraphBuilder b = GraphBuilder.create(NamingScheme.genaiBuilder(), OPSET)
            .importDomain(Domains.MICROSOFT, 1);
    private final HfWeights hf;
    private final DataType dt;
    /** Computed once, on the first grouped-query attention, and read by every layer. */
    private GenaiAttentionBias.GqaLengths gqaLengths;

    private GenaiDecoder(SampleSpec spec, ExternalWeights store) {
        this.spec = spec;
        this.store = store;
        this.hf = new HfWeights(spec);
        this.dt = spec.dtype().dataType();
    }

    /** The model in build order (topologically sorted); {@link NodeShuffle} un-sorts it afterwards. */
    static Model build(SampleSpec spec, ExternalWeights store) {
        if (spec.style() != ExportStyle.GENAI) {
            throw new IllegalArgumentException("GenaiDecoder writes the genai style, not " + spec.style());
        }
        return new GenaiDecoder(spec, store).build();
    }

    private Model build() {
        DecoderIo io = DecoderIo.declare(b, spec);
        Value embedding = weight("model.embed_tokens.weight", hf::embedTokens, spec.vocab(), spec.hidden());
        Value bias = GenaiAttentionBias.build(b, spec, io);
        Value x = b.node("", "Gather", "/model/embed_tokens/Gather", List.of(embedding, io.inputIds()),
                List.of("/model/embed_tokens/Gather/output_0")).output(0);

        Value inputNorm0 = weight("model.layers.0.input_layernorm.weight", () -> hf.inputNorm(0), spec.hidden());
        Value normed = b.node("", "SimplifiedLayerNormalization", "/model/layers.0/input_layernorm/LayerNorm",
                List.of(x, inputNorm0), List.of("/model/layers.0/input_layernorm/output_0"),
                Attribute.ofFloat("epsilon", spec.rmsEpsilon()), Attribute.ofInt("axis", -1),
                Attribute.ofInt("stash_type", 1)).output(0);
        Value residual = x;
        Value cosCache = null;
        Value sinCache = null;
        List<Value> presentKeys = new ArrayList<>();
        List<Value> presentValues = new ArrayList<>();
        for (int layer = 0; layer < spec.layers(); layer++) {
            String path = "/model/layers." + layer;
            Value q = linear(path + "/attn/q_proj", layer, HfWeights.Proj.Q, normed);
            Value k = linear(path + "/attn/k_proj", layer, HfWeights.Proj.K, normed);
            Value v = linear(path + "/attn/v_proj", layer, HfWeights.Proj.V, normed);
            if (cosCache == null) {
                long[] dims = {spec.maxPositions(), spec.headDim() / 2};
                cosCache = weight("cos_cache", () -> RotaryTables.cos(spec, false), dims);
                sinCache = weight("sin_cache", () -> RotaryTables.sin(spec, false), dims);
            }
            Value qRot = rotary(path + "/attn/q_rotary", q, io.positionIds(), cosCache, sinCache);
            Value kRot = rotary(path + "/attn/k_rotary", k, io.positionIds(), cosCache, sinCache);
            Value context = attention(layer, qRot, kRot, v, bias, io, presentKeys, presentValues);
            Value o = linear(path + "/attn/o_proj", layer, HfWeights.Proj.O, context);

            Value postNorm = weight("model.layers." + layer + ".post_attention_layernorm.weight",
                    norm(layer, false), spec.hidden());
            List<Value> post = skipNorm(path + "/post_attention_layernorm", residual, o, postNorm, true);
            normed = post.get(0);
            residual = post.get(1);
            Value down = mlp(path, layer, normed);
            if (layer + 1 < spec.layers()) {
                Value nextNorm = weight("model.layers." + (layer + 1) + ".input_layernorm.weight",
                        norm(layer + 1, true), spec.hidden());
                List<Value> next = skipNorm("/model/layers." + (layer + 1) + "/input_layernorm", residual, down,
                        nextNorm, true);
                normed = next.get(0);
                residual = next.get(1);
            } else {
                Value finalNorm = weight("model.layers." + spec.layers() + ".final_norm_layernorm.weight",
                        hf::finalNorm, spec.hidden());
                normed = skipNorm("/model/layers." + spec.layers() + "/final_norm_layernorm", residual, down,
                        finalNorm, false).get(0);
            }
        }
        Value head = weight("lm_head.MatMul.weight", () -> hf.lmHead().transposed(), spec.hidden(), spec.vocab());
        Value logits = b.node("", "MatMul", "/lm_head/MatMul", List.of(normed, head), List.of("logits")).output(0);
        io.declareOutputs(b, spec, logits, presentKeys, presentValues);
        return b.model(IR_VERSION, Map.of("onnx_sinkfix_sample", spec.describe()));
    }

    private Supplier<float[]> norm(int layer, boolean input) {
        return input ? () -> hf.inputNorm(layer) : () -> hf.postAttentionNorm(layer);
    }

    private Value weight(String name, Supplier<float[]> values, long... dims) {
        return b.initializer(store.add(name, dt, dims, values));
    }

    /** {@code model.layers.{L}.attn.q_proj.MatMul.weight}, {@code [in, out]}. */
    private Value linear(String module, int layer, HfWeights.Proj proj, Value x) {
        String name = module.substring(1).replace('/', '.') + ".MatMul.weight";
        int[] outIn = hf.shape(proj);
        Value w = weight(name, () -> hf.linear(layer, proj).transposed(), outIn[1], outIn[0]);
        b.scope(module);
        return b.matmul(x, w);
    }

    private Value rotary(String module, Value x, Value positions, Value cos, Value sin) {
        b.scope(module);
        return b.ops(Domains.MICROSOFT, "RotaryEmbedding", 1, List.of(x, positions, cos, sin),
                Attribute.ofInt("interleaved", 0), Attribute.ofInt("num_heads", 0),
                Attribute.ofInt("rotary_embedding_dim", 0)).get(0);
    }

    private Value attention(int layer, Value q, Value k, Value v, Value bias, DecoderIo io,
                            List<Value> presentKeys, List<Value> presentValues) {
        boolean grouped = spec.kvGroups() > 1;
        String node = "/model/layers." + layer + "/attn/" + (grouped ? "GroupQueryAttention" : "MultiHeadAttention");
        Value pastKey = io.pastKeys().get(layer);
        Value pastValue = io.pastValues().get(layer);
        List<String> outputs = List.of(node + "/output_0", "present." + layer + ".key", "present." + layer + ".value");
        Attribute heads = Attribute.ofInt("num_heads", spec.heads());
        Attribute scale = Attribute.ofFloat("scale", (float) (1.0 / Math.sqrt(spec.headDim())));
        List<Value> outs;
        if (grouped) {
            GenaiAttentionBias.GqaLengths lengths = gqaLengths(io);
            outs = b.node(Domains.MICROSOFT, "GroupQueryAttention", node,
                    Arrays.asList(q, k, v, pastKey, pastValue, lengths.seqlensK(), lengths.totalSequenceLength(),
                            null, null, null, bias),
                    outputs, heads, Attribute.ofInt("kv_num_heads", spec.kvHeads()), scale).outputs();
        } else {
            outs = b.node(Domains.MICROSOFT, "MultiHeadAttention", node,
                    Arrays.asList(q, k, v, null, null, bias, pastKey, pastValue), outputs, heads, scale).outputs();
        }
        presentKeys.add(outs.get(1));
        presentValues.add(outs.get(2));
        return outs.get(0);
    }

    private GenaiAttentionBias.GqaLengths gqaLengths(DecoderIo io) {
        if (gqaLengths == null) {
            gqaLengths = GenaiAttentionBias.gqaLengths(b, io);
        }
        return gqaLengths;
    }

    /** Output 0 the normed sum, output 3 (when asked for) the residual sum itself. */
    private List<Value> skipNorm(String module, Value residual, Value sublayer, Value weight, boolean withSum) {
        List<String> outs = withSum
                ? List.of(module + "/output_0", "", "", module + "/output_3") : List.of(module + "/output_0");
        List<Value> values = b.node(Domains.MICROSOFT, "SkipSimplifiedLayerNormalization", module + "/SkipLayerNorm",
                List.of(residual, sublayer, weight), outs, Attribute.ofFloat("epsilon", spec.rmsEpsilon())).outputs();
        return withSum ? List.of(values.get(0), values.get(3)) : List.of(values.get(0));
    }

    private Value mlp(String path, int layer, Value x) {
        Value gate = linear(path + "/mlp/gate_proj", layer, HfWeights.Proj.GATE, x);
        Value up = linear(path + "/mlp/up_proj", layer, HfWeights.Proj.UP, x);
        b.scope(path + "/mlp/act_fn");
        Value act = b.mul(gate, b.sigmoid(gate));
        b.scope(path + "/mlp");
        Value product = b.mul(act, up);
        return linear(path + "/mlp/down_proj", layer, HfWeights.Proj.DOWN, product);
    }
}
