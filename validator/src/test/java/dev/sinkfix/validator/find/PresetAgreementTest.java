package dev.sinkfix.validator.find;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.DecoderMatcher;
import dev.sinkfix.surgery.match.MlpSite;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The poster's presets are compared only where the model has their shape (the 7B skeleton: no weights read). */
class PresetAgreementTest {
    @TempDir
    Path tmp;

    @Test
    void comparesWithEveryPresetOfTheModelsShape() throws Exception {
        Decoder skeleton = DecoderMatcher.match(ModelLoader.load(Samples.writeLlama2_7bSkeleton(tmp.resolve("7b"))));
        SinkAnswer llama2 = new SinkAnswer(1, MlpSite.UP, List.of(10411, 7890), "c", "c", 1.0, true);
        List<PresetCheck> checks = PresetAgreement.check(skeleton, llama2);
        assertEquals(List.of("llama-1-7b", "llama-2-7b"), checks.stream().map(PresetCheck::preset).toList(),
                "width 11008 fits both Llama-1 and Llama-2, not the 14336-wide presets");
        assertFalse(checks.get(0).agrees(), checks.get(0).note());
        assertTrue(checks.get(1).agrees(), checks.get(1).note());
        assertTrue(checks.get(0).note().contains("the preset says layer 2 neurons [7003]"), checks.get(0).note());

        List<PresetCheck> none = PresetAgreement.check(skeleton, null);
        assertTrue(none.stream().noneMatch(PresetCheck::agrees));
        Decoder small = DecoderMatcher.match(ModelLoader.load(Samples.write("llama-torch-fp32", tmp.resolve("s"))));
        assertEquals(List.of(), PresetAgreement.check(small, llama2), "no preset has the small sample's shape");
    }
}
