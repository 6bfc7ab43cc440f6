package dev.sinkfix.samples;

import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Dim;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs and outputs every decoder export shares ({@code input_ids}, {@code attention_mask},
 * {@code position_ids}, {@code past_key_values.{i}.key|value}; {@code logits},
 * {@code present.{i}.key|value}), with the symbolic dimension names of each exporter: a runtime
 * binds by these names, so they must not drift between styles.
 */
record DecoderIo(Value inputIds, Value attentionMask, Value positionIds, List<Value> pastKeys,
                 List<Value> pastValues, DimNames dims) {

    /** Symbolic names of batch, new tokens, cached tokens and their sum. */
    record DimNames(String batch, String sequence, String past, String total) {
        static DimNames of(ExportStyle style) {
            return switch (style) {
                case TORCH -> new DimNames("batch_size", "sequence_length", "past_sequence_length",
                        "past_sequence_length + sequence_length");
                case GENAI -> new DimNames("batch_size", "sequence_length", "past_sequence_length",
                        "total_sequence_length");
                case DYNAMO -> new DimNames("batch", "seq_len", "past_seq_len", "past_seq_len + seq_len");
            };
        }
    }

    static DecoderIo declare(GraphBuilder b, SampleSpec spec) {
        DimNames d = DimNames.of(spec.style());
        Value ids = b.input("input_ids", DataType.INT64, Dim.named(d.batch()), Dim.named(d.sequence()));
        Value mask = b.input("attention_mask", DataType.INT64, Dim.named(d.batch()), Dim.named(d.total()));
        Value positions = b.input("position_ids", DataType.INT64, Dim.named(d.batch()), Dim.named(d.sequence()));
        DataType dt = spec.dtype().dataType();
        List<Value> keys = new ArrayList<>();
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            keys.add(b.input("past_key_values." + i + ".key", dt, cacheDims(spec, d.batch(), d.past())));
            values.add(b.input("past_key_values." + i + ".value", dt, cacheDims(spec, d.batch(), d.past())));
        }
        return new DecoderIo(ids, mask, positions, List.copyOf(keys), List.copyOf(values), d);
    }

    /** Declares the outputs; {@code presentKeys} and {@code presentValues} are already named {@code present.{i}.*}. */
    void declareOutputs(GraphBuilder b, SampleSpec spec, Value logits, List<Value> presentKeys,
                        List<Value> presentValues) {
        DataType dt = spec.dtype().dataType();
        b.output(logits, dt, Dim.named(dims.batch()), Dim.named(dims.sequence()), Dim.of(spec.vocab()));
        for (int i = 0; i < spec.layers(); i++) {
            b.output(presentKeys.get(i), dt, cacheDims(spec, dims.batch(), dims.total()));
            b.output(presentValues.get(i), dt, cacheDims(spec, dims.batch(), dims.total()));
        }
    }

    private static Dim[] cacheDims(SampleSpec spec, String batch, String length) {
        return new Dim[] {Dim.named(batch), Dim.of(spec.kvHeads()), Dim.named(length), Dim.of(spec.headDim())};
    }
}
