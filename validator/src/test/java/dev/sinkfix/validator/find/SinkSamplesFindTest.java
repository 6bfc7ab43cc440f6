package dev.sinkfix.validator.find;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.SessionConfig;
import dev.sinkfix.samples.SinkSample;
import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.match.MlpSite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated sink samples: find names layer 1, neurons 42 and 137, and its patch stops the climb. */
class SinkSamplesFindTest {
    static final SessionConfig CPU = SessionConfig.defaults().withDevice(Device.CPU);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {SinkSample.PRESET, SinkSample.GENAI_PRESET})
    void namesTheBuiltInSinkAndItsPatchStopsTheClimb(String preset) throws Exception {
        Path model = Samples.write(preset, tmp.resolve(preset));
        byte[] before = Files.readAllBytes(model);
        List<String> folder = listing(model.getParent());
        FindReport r = SinkFinder.find(model, FindSettings.defaults().withRepeats(List.of(), 300), CPU, "test",
                w -> { }, p -> { });
        assertEquals(FindReport.SINK, r.verdict(), r.reason());
        assertEquals(SinkSample.LAYER, r.sink().layer(), r.reason());
        assertEquals(List.copyOf(new java.util.TreeSet<>(SinkSample.NEURONS)),
                r.sink().neurons().stream().sorted().toList(), r.reason());
        assertEquals(Boolean.TRUE, r.sink().climbStopped(), r.reason());
        for (RepeatFigure f : r.repeats()) {
            assertNotNull(f.original(), "the original climbs: " + f);
            assertTrue(f.original() < 100, "within the run: " + f);
            assertNull(f.patched(), "the patch holds it off for the whole run: " + f);
        }
        assertTrue(r.sink().command().endsWith("--layer 1 --neurons " + r.sink().neurons().get(0) + ","
                + r.sink().neurons().get(1)), r.sink().command());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(model)), "the model is not changed");
        assertEquals(folder, listing(model.getParent()), "nothing written beside the model");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gate", "act"})
    void theOtherSitesNameTheSameNeurons(String site) throws Exception {
        Path model = Samples.write(SinkSample.PRESET, tmp.resolve(site));
        MlpSite chosen = MlpSite.valueOf(site.toUpperCase(java.util.Locale.ROOT));
        FindReport r = SinkFinder.find(model, FindSettings.defaults().withSite(chosen).withRepeats(List.of(40L), 100),
                CPU, "test", w -> { }, p -> { });
        assertEquals(FindReport.SINK, r.verdict(), r.reason());
        assertEquals(List.of(42, 137), r.sink().neurons().stream().sorted().toList(), r.reason());
        assertEquals(Boolean.TRUE, r.sink().climbStopped(), r.reason());
        assertTrue(r.sink().command().endsWith(" --site " + site), r.sink().command());
    }

    static List<String> listing(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
