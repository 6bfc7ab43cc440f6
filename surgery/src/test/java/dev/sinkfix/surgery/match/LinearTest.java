package dev.sinkfix.surgery.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import dev.sinkfix.surgery.ir.Attribute;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Domains;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Tensor;
import dev.sinkfix.surgery.ir.TensorType;
import dev.sinkfix.surgery.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each quantized projection form, as its quantizer writes it, read as a projection of a float input to a float output. */
class LinearTest {
    private final Graph g = new Graph();
    private final Value x = g.addInput("x", TensorType.of(DataType.FLOAT, Dim.named("batch"), Dim.of(8)));

    private Value stored(String name, DataType dtype, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        return g.addInitializer(Tensor.ofRaw(name, dtype, dims, ByteString.copyFrom(new byte[(int) dtype.byteSize(count)])));
    }

    private Node node(String op, String domain, List<Value> inputs, String... outputs) {
        return g.addNode(op, domain, op + "_" + g.nodes().size(), inputs, List.of(outputs));
    }

    private Linear recognize(Node n) {
        return Linear.recognize(n, new Constants());
    }

    @Test
    void dynamicInt8IsTheFloatInputToTheRescaledProduct() {
        Node dql = node("DynamicQuantizeLinear", "", List.of(x), "x_q", "x_scale", "x_zp");
        Node mmi = node("MatMulInteger", "", List.of(dql.output(0), stored("w_q", DataType.INT8, 8, 3), dql.output(2),
                stored("w_zp", DataType.INT8)), "acc");
        Node cast = g.addNode("Cast", "", "cast", List.of(mmi.output(0)), List.of("acc_f"),
                Attribute.ofInt("to", DataType.FLOAT.code()));
        Node scales = node("Mul", "", List.of(dql.output(1), stored("w_scale", DataType.FLOAT)), "scales");
        Node out = node("Mul", "", List.of(cast.output(0), scales.output(0)), "y");

        Linear l = recognize(out);
        assertSame(mmi, l.node());
        assertSame(x, l.input());
        assertSame(out.output(0), l.output());
        assertSame(dql, l.entry(), "the down projection is found through the quantizer that reads its input");
        assertEquals(8, l.inFeatures());
        assertEquals(3, l.outFeatures());
        assertEquals(DataType.FLOAT, l.dtype());
        assertNull(recognize(mmi), "the int32 accumulator is not a projection of its own when it is rescaled");
    }

    @Test
    void anIntegerAccumulatorWithoutItsRescaleIsAnInt32Projection() {
        Node dql = node("DynamicQuantizeLinear", "", List.of(x), "x_q", "x_scale", "x_zp");
        Node mmi = node("MatMulInteger", "", List.of(dql.output(0), stored("w_q", DataType.INT8, 8, 3)), "acc");
        node("Cast", "", List.of(mmi.output(0)), "acc_f");

        Linear l = recognize(mmi);
        assertSame(x, l.input());
        assertEquals(DataType.INT32, l.dtype(), "a patch of it must be refused for its type");
    }

    @Test
    void matMulNBitsTakesItsTypeFromTheScales() {
        Node n = g.addNode("MatMulNBits", Domains.MICROSOFT, "q4", List.of(x, stored("b", DataType.UINT8, 3, 1, 16),
                stored("scales", DataType.FLOAT16, 3)), List.of("y"), Attribute.ofInt("K", 8), Attribute.ofInt("N", 3),
                Attribute.ofInt("bits", 4), Attribute.ofInt("block_size", 32));
        Linear l = recognize(n);
        assertEquals(8, l.inFeatures());
        assertEquals(3, l.outFeatures());
        assertEquals(DataType.FLOAT16, l.dtype());
        assertSame(n, l.entry());
    }

    @Test
    void aQdqMatMulReadsTheFloatTensorBeforeThePair() {
        Value scale = stored("s", DataType.FLOAT);
        Value zero = stored("z", DataType.INT8);
        Node q = node("QuantizeLinear", "", List.of(x, scale, zero), "x_q");
        Node dq = node("DequantizeLinear", "", List.of(q.output(0), scale, zero), "x_dq");
        Node w = node("DequantizeLinear", "", List.of(stored("w_q", DataType.INT8, 8, 3), stored("w_s", DataType.FLOAT),
                stored("w_z", DataType.INT8)), "w");
        Node mm = node("MatMul", "", List.of(dq.output(0), w.output(0)), "y");

        Linear l = recognize(mm);
        assertSame(x, l.input());
        assertSame(q, l.entry());
        assertEquals(8, l.inFeatures(), "the weight's shape is read through its DequantizeLinear");
        assertEquals(3, l.outFeatures());
        assertEquals(DataType.FLOAT, l.dtype(), "the type is the weight scale's, not the int8 weight's");
        assertSame(x, Trace.back(dq.output(0)), "the matcher looks through the pair");
    }
}
