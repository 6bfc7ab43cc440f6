package dev.sinkfix.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.ir.DataType;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Node;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.SinkPatch;
import dev.sinkfix.surgery.rewrite.SinkSpec;
import dev.sinkfix.surgery.rewrite.TapRequest;
import dev.sinkfix.surgery.rewrite.Taps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quantized site that is not a float tensor is refused, with the reason: here layer 1's up
 * projection of the dynamic int8 sample loses its Mul by the scales, so the MLP reads the int32
 * accumulator through a Cast (the graph still runs; its numbers are just not the activation's).
 * The layer's gate site, still a float product, stays patchable.
 */
class QuantizedSiteRefusalTest {
    @TempDir
    Path tmp;

    @Test
    void anUnscaledIntegerSiteIsRefusedForPatchAndTap() throws Exception {
        Model model = ModelLoader.load(Samples.write(QuantizedSamples.INT8_DYNAMIC, tmp));
        Value scaled = DecoderMatcher.match(model).layer(1).site(MlpSite.UP);
        Node rescale = scaled.producer();
        Value castToFloat = rescale.input(0).producer().isStandard("Cast") ? rescale.input(0) : rescale.input(1);
        model.graph().replaceAllUsesWith(scaled, castToFloat, false);
        model.graph().removeDeadNodes();

        Decoder d = DecoderMatcher.match(model);
        assertEquals(2, d.layers().size());
        assertEquals(DataType.INT32, d.layer(1).mlp().siteType(MlpSite.UP));
        assertEquals(DataType.FLOAT, d.layer(0).mlp().siteType(MlpSite.UP));

        BadInputException patch = assertThrows(BadInputException.class, () -> SinkPatch.apply(model, d,
                List.of(new SinkSpec(1, List.of(3), MlpSite.UP, 1)), "test"));
        assertTrue(patch.getMessage().contains("int32") && patch.getMessage().contains("MatMulInteger")
                && patch.getMessage().contains("floating-point"), patch.getMessage());
        BadInputException tap = assertThrows(BadInputException.class, () -> Taps.apply(model, d,
                new TapRequest(Set.of(1), false, false, Map.of(MlpSite.UP, List.of(3)), false)));
        assertTrue(tap.getMessage().contains("int32"), tap.getMessage());
        assertEquals(0, model.graph().inputs().stream().filter(v -> v.name().startsWith("past_sink")).count(),
                "nothing was added before the refusal");

        SinkPatch.apply(model, d, List.of(new SinkSpec(1, List.of(3), MlpSite.GATE, 1)), "test");
        assertTrue(model.graph().input("past_sink_state.1") != null, "the float gate site of the same layer is patched");
    }
}
