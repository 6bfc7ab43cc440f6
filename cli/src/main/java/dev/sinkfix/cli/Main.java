package dev.sinkfix.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** Entry point. {@link #run} returns the exit code so that tests can check it. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line with the process's stdout and stderr; returns the exit code. */
    public static int run(String... args) {
        return configure(commandLine(args), new PrintWriter(System.out, true),
                new PrintWriter(System.err, true)).execute(args);
    }

    /**
     * The command tree for these arguments: the root with only the subcommand they name, or with
     * every subcommand where they name none (the root's help, {@code help CMD}, a mistyped name,
     * whose error lists the choices); the root alone for {@code --version}.
     */
    static CommandLine commandLine(String... args) {
        CommandLine root = new CommandLine(new SinkfixCommand());
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return root;
        }
        Class<?> named = namedSubcommand(args);
        for (Class<?> c : SinkfixCommand.SUBCOMMANDS) {
            if (named == null || c == named) {
                root.addSubcommand(c);
            }
        }
        return root;
    }

    /** The subcommand the first argument that is not a root option names, other than help; null if none. */
    private static Class<?> namedSubcommand(String... args) {
        for (String arg : args) {
            if (arg.startsWith("-")) {
                continue;
            }
            for (Class<?> c : SinkfixCommand.SUBCOMMANDS) {
                Command command = c.getAnnotation(Command.class);
                if (c != HelpCommand.class && command != null && command.name().equals(arg)) {
                    return c;
                }
            }
            return null;
        }
        return null;
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
