package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.DeviceUnavailableException;
import dev.sinkfix.surgery.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class MainTest {

    /** A command that throws what it is told to, to drive the error mapping. */
    @Command(name = "fail")
    static final class FailCommand implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Mixin
        DeviceOptions device;

        @Option(names = "--with", required = true)
        String what;

        @Override
        public Integer call() throws Exception {
            throw switch (what) {
                case "bad" -> new BadInputException("layer 7 does not exist: the model has 2 decoder layers");
                case "bad-multiline" -> new BadInputException("first line\nsecond line");
                case "device" -> new DeviceUnavailableException("CUDA execution provider unavailable: libcudnn.so.9 (cuDNN 9) was not found", null);
                case "ort" -> new OrtException(OrtException.OrtErrorCode.ORT_INVALID_GRAPH, "node /model/Add has 3 inputs");
                case "io" -> new NoSuchFileException("/tmp/out/model.onnx");
                case "device-name" -> new BadInputException("device " + device.device().id());
                default -> new IllegalStateException("unexpected " + what);
            };
        }
    }

    private static Cli.Outcome run(String... args) {
        return Cli.runWith(List.of(new FailCommand()), args);
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        Cli.Outcome help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("Usage: onnx-sinkfix [-hV] [--stacktrace] [COMMAND]"), help.out());
        assertTrue(help.out().contains("  inspect "), help.out());
        assertTrue(help.out().contains("Exit codes:"), help.out());
        assertTrue(help.out().contains("  70   a bug in onnx-sinkfix"), help.out());
        assertEquals("", help.err());
    }

    @Test
    void everyCommandHasHelpAndVersion() {
        Cli.Outcome version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("onnx-sinkfix 0.1.0-SNAPSHOT" + System.lineSeparator()), version.out());
        assertTrue(version.out().contains("ONNX Runtime 1.29.0, Java " + System.getProperty("java.version")), version.out());

        assertEquals(version.out(), run("inspect", "--version").out());
        Cli.Outcome inspectHelp = run("inspect", "--help");
        assertEquals(0, inspectHelp.code());
        assertTrue(inspectHelp.out().startsWith("Usage: onnx-sinkfix inspect [-hV] [--explain] [--json] [--stacktrace] MODEL"),
                inspectHelp.out());
        assertEquals(inspectHelp.out(), run("help", "inspect").out());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Cli.Outcome unknown = run("inspect", "--jsno", "model.onnx");
        assertEquals(ExitCodes.BAD_INPUT, unknown.code());
        assertEquals("onnx-sinkfix: error: Unknown option: '--jsno'", unknown.errLines().get(0));
        assertTrue(unknown.err().contains("--json"), "suggests the near miss: " + unknown.err());
        assertTrue(unknown.err().contains("Usage: onnx-sinkfix inspect [-hV] [--explain] [--json] [--stacktrace] MODEL"), unknown.err());
        assertTrue(unknown.err().contains("Try 'onnx-sinkfix inspect --help' for more information."), unknown.err());
        assertEquals("", unknown.out());
    }

    @Test
    void missingArgumentsAndCommandsAreUsageErrors() {
        Cli.Outcome noModel = run("inspect");
        assertEquals(ExitCodes.BAD_INPUT, noModel.code());
        assertEquals("onnx-sinkfix: error: Missing required parameter: 'MODEL'", noModel.errLines().get(0));

        Cli.Outcome noCommand = run();
        assertEquals(ExitCodes.BAD_INPUT, noCommand.code());
        assertTrue(noCommand.errLines().get(0).startsWith("onnx-sinkfix: error: missing a command, expected one of: demo, inspect"),
                noCommand.err());
        assertTrue(noCommand.err().contains("Usage: onnx-sinkfix "), noCommand.err());
    }

    @Test
    void badInputIsOneLineAndExitCode2() {
        Cli.Outcome bad = run("fail", "--with", "bad");
        assertEquals(ExitCodes.BAD_INPUT, bad.code());
        assertEquals(List.of("onnx-sinkfix: error: layer 7 does not exist: the model has 2 decoder layers"), bad.errLines());
        assertEquals("", bad.out());

        assertEquals(List.of("onnx-sinkfix: error: first line second line"), run("fail", "--with", "bad-multiline").errLines());
    }

    @Test
    void stacktraceAddsTheTrace() {
        Cli.Outcome traced = run("fail", "--with", "bad", "--stacktrace");
        assertEquals(ExitCodes.BAD_INPUT, traced.code());
        List<String> lines = traced.errLines();
        assertEquals("onnx-sinkfix: error: layer 7 does not exist: the model has 2 decoder layers", lines.get(0));
        assertTrue(lines.get(1).startsWith(BadInputException.class.getName()), traced.err());
        assertTrue(traced.err().contains("at dev.sinkfix.cli.MainTest$FailCommand.call"), traced.err());

        Cli.Outcome rootFlag = run("--stacktrace", "fail", "--with", "bad");
        assertTrue(rootFlag.errLines().size() > 2, "--stacktrace before the command works too: " + rootFlag.err());
    }

    @Test
    void runtimeFailuresAreExitCode3() {
        Cli.Outcome device = run("fail", "--with", "device");
        assertEquals(ExitCodes.RUNTIME_FAILURE, device.code());
        assertEquals(List.of("onnx-sinkfix: error: CUDA execution provider unavailable: libcudnn.so.9 (cuDNN 9) was not found"),
                device.errLines());

        Cli.Outcome ort = run("fail", "--with", "ort");
        assertEquals(ExitCodes.RUNTIME_FAILURE, ort.code());
        assertEquals(List.of("onnx-sinkfix: error: ONNX Runtime failed: ORT_INVALID_GRAPH: node /model/Add has 3 inputs"),
                ort.errLines());

        Cli.Outcome io = run("fail", "--with", "io");
        assertEquals(ExitCodes.RUNTIME_FAILURE, io.code());
        assertEquals(List.of("onnx-sinkfix: error: no such file: /tmp/out/model.onnx"), io.errLines());
    }

    @Test
    void anythingElseIsABugWithAHint() {
        Cli.Outcome bug = run("fail", "--with", "surprise");
        assertEquals(ExitCodes.BUG, bug.code());
        assertEquals(List.of("onnx-sinkfix: internal error, a bug: java.lang.IllegalStateException: unexpected surprise"
                + " (rerun with --stacktrace and report the output)"), bug.errLines());
    }

    @Test
    void deviceOptionTakesTheDocumentedNames() {
        assertEquals(List.of("onnx-sinkfix: error: device auto"), run("fail", "--with", "device-name").errLines());
        assertEquals(List.of("onnx-sinkfix: error: device cuda"),
                run("fail", "--with", "device-name", "--device", "CUDA").errLines());
        Cli.Outcome wrong = run("fail", "--with", "device-name", "--device", "gpu");
        assertEquals(ExitCodes.BAD_INPUT, wrong.code());
        assertEquals("onnx-sinkfix: error: Invalid value for option '--device': unknown device 'gpu', expected one of auto, cuda, cpu",
                wrong.errLines().get(0));
        assertTrue(run("fail", "--help").out().replaceAll("\\s+", " ").contains("Where to run the model: auto, cuda, cpu (default: auto)."));
        assertEquals(Device.CPU, Device.parse(" cpu "));
    }

    @Test
    void mainRunReturnsTheExitCode() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream sink = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(sink);
            System.setErr(sink);
            assertEquals(ExitCodes.OK, Main.run("--version"));
            assertEquals(ExitCodes.BAD_INPUT, Main.run("--no-such-option"));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("onnx-sinkfix 0.1.0-SNAPSHOT"), printed);
        assertTrue(printed.contains("onnx-sinkfix: error: Unknown option: '--no-such-option'"), printed);
    }
}
