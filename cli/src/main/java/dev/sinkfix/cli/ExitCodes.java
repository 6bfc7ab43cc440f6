package dev.sinkfix.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the process exit status means; {@code --help} of the root command lists these. */
public final class ExitCodes {
    /** Done; every check passed. */
    public static final int OK = 0;
    /** The command ran, and a check it makes failed (for example, a patched model did not validate). */
    public static final int CHECK_FAILED = 1;
    /** The input was refused: unknown option, missing file, a model or option that does not fit. */
    public static final int BAD_INPUT = 2;
    /** ONNX Runtime, the device or the file system failed (CUDA unavailable, out of memory, disk full). */
    public static final int RUNTIME_FAILURE = 3;
    /** Anything else: a bug in onnx-sinkfix ({@code EX_SOFTWARE} of sysexits.h). */
    public static final int BUG = 70;

    private ExitCodes() {}

    /** Code to description, in the form picocli's usage help shows. */
    static Map<String, String> describe() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(" " + OK, "done; every check passed");
        codes.put(" " + CHECK_FAILED, "a check failed");
        codes.put(" " + BAD_INPUT, "bad input: usage, file or model refused");
        codes.put(" " + RUNTIME_FAILURE, "ONNX Runtime, device or I/O failure");
        codes.put(Integer.toString(BUG), "a bug in onnx-sinkfix (rerun with --stacktrace and report it)");
        return codes;
    }
}
