package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.samples.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An output in another folder says plainly whether its data file is the input's own, and --copy-data avoids it. */
class CopyDataTest {
    @TempDir
    Path tmp;

    @Test
    void patchSaysWhenTheOutputSharesTheInputsDataFileAndCopyDataGivesItsOwn() throws Exception {
        Path model = Samples.write("llama-genai-fp16", tmp.resolve("in"));
        Path inputData = model.resolveSibling("model.onnx.data");
        assertTrue(Files.isRegularFile(inputData), "the genai sample keeps its weights in external data");

        Path linked = Files.createDirectories(tmp.resolve("linked")).resolve("model.onnx");
        Cli.Outcome r = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3", "-o", linked.toString());
        assertEquals(0, r.code(), r.err());
        Path linkedData = linked.resolveSibling("model.onnx.data");
        if (Files.isSameFile(linkedData, inputData)) {
            assertTrue(r.out().contains("hard link " + linkedData + ": the same file as the input's data"), r.out());
        } else {
            assertTrue(r.out().contains("copy-on-write clone " + linkedData) || r.out().contains("copied to"), r.out());
        }

        for (String command : new String[] {"patch", "tap"}) {
            Path own = Files.createDirectories(tmp.resolve("own-" + command)).resolve("model.onnx");
            Cli.Outcome c = command.equals("patch")
                    ? Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3", "-o", own.toString(), "--copy-data")
                    : Cli.run("tap", model.toString(), "-o", own.toString(), "--copy-data");
            assertEquals(0, c.code(), c.err());
            Path ownData = own.resolveSibling("model.onnx.data");
            assertFalse(Files.isSameFile(ownData, inputData), command + " --copy-data gives a file of its own");
            assertFalse(c.out().contains("hard link"), c.out());
            assertTrue(c.out().contains("weights: copied to " + ownData)
                    || c.out().contains("weights: copy-on-write clone " + ownData), c.out());
            assertEquals(Files.size(inputData), Files.size(ownData));
        }
    }
}
