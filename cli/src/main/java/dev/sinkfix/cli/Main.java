package dev.sinkfix.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point. {@link #run} returns the exit code so that tests can check it. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line with the process's stdout and stderr; returns the exit code. */
    public static int run(String... args) {
        return configure(new CommandLine(new SinkfixCommand()), new PrintWriter(System.out, true),
                new PrintWriter(System.err, true)).execute(args);
    }

    /**
     * Wires error handling, streams and the exit-code help section into {@code commandLine} and
     * every subcommand it has now, so add subcommands first.
     */
    static CommandLine configure(CommandLine commandLine, PrintWriter out, PrintWriter err) {
        ErrorHandler errors = new ErrorHandler();
        commandLine.setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors);
        commandLine.getCommandSpec().usageMessage()
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(ExitCodes.describe());
        return commandLine;
    }
}
