package dev.sinkfix.cli;

import ai.onnxruntime.OrtException;
import dev.sinkfix.runtime.DeviceUnavailableException;
import dev.sinkfix.runtime.Sessions;
import dev.sinkfix.surgery.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns what a command throws into one line on stderr and an exit code ({@link ExitCodes}); the
 * stack trace follows only with {@code --stacktrace}. Usage errors print the error, the command's
 * synopsis and where to find more.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final String PREFIX = "onnx-sinkfix: error: ";

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        Throwable error = ex instanceof UncheckedIOException unchecked ? unchecked.getCause() : ex;
        int code;
        String line;
        if (error instanceof BadInputException) {
            code = ExitCodes.BAD_INPUT;
            line = PREFIX + error.getMessage();
        } else if (error instanceof DeviceUnavailableException) {
            code = ExitCodes.RUNTIME_FAILURE;
            line = PREFIX + error.getMessage();
        } else if (error instanceof OrtException) {
            code = ExitCodes.RUNTIME_FAILURE;
            line = PREFIX + "ONNX Runtime failed: " + Sessions.condense(error.getMessage());
        } else if (error instanceof IOException) {
            code = ExitCodes.RUNTIME_FAILURE;
            line = PREFIX + describe((IOException) error);
        } else {
            code = ExitCodes.BUG;
            line = "onnx-sinkfix: internal error, a bug: " + error
                    + " (rerun with --stacktrace and report the output)";
        }
        PrintWriter err = commandLine.getErr();
        err.println(oneLine(line));
        if (stacktraceRequested(parseResult)) {
            error.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println(oneLine(PREFIX + ex.getMessage()));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.print(commandLine.getHelp().fullSynopsis());
        err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    private static boolean stacktraceRequested(ParseResult parseResult) {
        for (ParseResult result = parseResult; result != null; result = result.subcommand()) {
            if (result.hasMatchedOption("--stacktrace")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        if (e instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        return "I/O failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
