package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: patch, then validate, then probe, in that order. */
class DemoValidatesTest {
    @TempDir
    Path tmp;

    @Test
    void theDemoValidatesThePatchBeforeProbingIt() {
        Cli.Outcome r = Cli.run("demo", "-o", tmp.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        int patch = out.indexOf("$ onnx-sinkfix patch");
        int validate = out.indexOf("$ onnx-sinkfix validate");
        int probe = out.indexOf("$ onnx-sinkfix probe");
        assertTrue(patch >= 0 && patch < validate && validate < probe, out);
        assertTrue(out.substring(validate, probe).contains("result: PASSED"), out);
    }
}
