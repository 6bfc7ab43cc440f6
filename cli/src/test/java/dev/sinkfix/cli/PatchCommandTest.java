package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.io.ModelLoader;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.PatchRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatchCommandTest {
    @TempDir
    Path tmp;
    private Path model;

    @BeforeEach
    void sample() throws Exception {
        model = Samples.write("llama-genai-fp16", tmp.resolve("m"));
    }

    @Test
    void patchesBesideTheInputAndSaysWhatItDid() throws Exception {
        Cli.Outcome r = Cli.run("patch", model.toString(), "--layer", "1", "--neurons", "3,40");
        assertEquals(0, r.code(), r.err());
        Path out = model.resolveSibling("model.sinkfix.onnx");
        assertTrue(r.out().contains("layer 1: pinned neurons [3, 40] of /model/layers.1/mlp/up_proj/MatMul/output_0"), r.out());
        assertTrue(r.out().contains("state past_sink_state.1 -> present_sink_state.1"), r.out());
        assertTrue(r.out().contains("wrote " + out), r.out());
        assertTrue(r.out().contains("weights: shares model.onnx.data with the input"), r.out());
        List<PatchRecord> records = PatchRecord.readAll(ModelLoader.load(out));
        assertEquals(1, records.size());
        assertEquals(List.of(3, 40), records.get(0).neurons());
        assertEquals(MlpSite.UP, records.get(0).site());
    }

    @Test
    void severalLayersInOneRun() throws Exception {
        Path out = tmp.resolve("two.onnx");
        Cli.Outcome r = Cli.run("patch", model.toString(), "--sink", "0:1,2", "--layer", "1", "--neurons", "7",
                "--site", "act", "--capture-position", "2", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        List<PatchRecord> records = PatchRecord.readAll(ModelLoader.load(out));
        assertEquals(List.of(1, 0), records.stream().map(PatchRecord::layer).sorted((a, b) -> b - a).toList());
        assertTrue(records.stream().allMatch(p -> p.site() == MlpSite.ACT && p.capturePosition() == 2));
        assertTrue(Files.exists(tmp.resolve("model.onnx.data")), "data file linked beside the output");
    }

    @Test
    void badInputIsOneLineExitTwoAndWritesNothing() throws Exception {
        String in = model.toString();
        Path out = tmp.resolve("out.onnx");
        String o = out.toString();
        refused("layer 5 does not exist: the model has 2 layers, 0 to 1", in, "--layer", "5", "--neurons", "1", "-o", o);
        refused("neuron -1 is out of range for layer 1: its MLP has 176 neurons, 0 to 175", in, "--layer", "1", "--neurons", "-1", "-o", o);
        refused("neuron 176 is out of range", in, "--layer", "1", "--neurons", "176", "-o", o);
        refused("neuron 4 is given twice for layer 1", in, "--layer", "1", "--neurons", "4,4", "-o", o);
        refused("preset llama-2-7b does not fit this model: layers 2 (graph), the preset's model has 32; "
                + "hidden size 64 (graph), the preset's model has 4096; intermediate size 176 (graph), the preset's "
                + "model has 11008;", in,
                "--preset", "llama-2-7b", "-o", o);
        refused("unknown preset 'llama-9'", in, "--preset", "llama-9", "-o", o);
        refused("unknown site 'down'; expected one of up, gate, act", in, "--sink", "1:3", "--site", "down", "-o", o);
        refused("--sink '1-3' is not LAYER:NEURON,NEURON", in, "--sink", "1-3", "-o", o);
        refused("nothing to patch", in, "-o", o);
        refused("give either --preset or layers", in, "--preset", "llama-2-7b", "--sink", "1:3", "-o", o);
        refused("output folder " + tmp.resolve("nope"), in, "--sink", "1:3", "-o", tmp.resolve("nope/x.onnx").toString());
        refused("is the input model", in, "--sink", "1:3", "-o", in);
        refused("is the input's external data file", in, "--sink", "1:3", "-o", model.resolveSibling("model.onnx.data").toString());
        Files.writeString(out, "mine");
        refused("already exists", in, "--sink", "1:3", "-o", o);
        assertEquals("mine", Files.readString(out));
        Files.delete(out);

        Path patched = tmp.resolve("p.onnx");
        assertEquals(0, Cli.run("patch", in, "--sink", "1:3", "-o", patched.toString()).code());
        refused("layer 1 is already patched", patched.toString(), "--sink", "1:3", "-o", o);
        refused("not a Llama/Mistral decoder", NonDecoder.write(Files.createDirectories(tmp.resolve("t"))).toString(),
                "--sink", "1:3", "-o", o);
    }

    private void refused(String expected, String... args) throws Exception {
        String before = digest(tmp);
        List<String> all = new ArrayList<>(List.of("patch"));
        all.addAll(List.of(args));
        Cli.Outcome r = Cli.run(all.toArray(String[]::new));
        assertEquals(2, r.code(), "exit code for " + all + ": " + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("onnx-sinkfix: error: ") && r.err().contains(expected),
                "expected '" + expected + "' in: " + r.err());
        assertEquals(before, digest(tmp), "nothing written or changed for " + all);
    }

    private static String digest(Path dir) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                md.update(p.toString().getBytes());
                md.update(Files.readAllBytes(p));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
