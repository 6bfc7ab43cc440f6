package dev.sinkfix.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs one command line in-process, as {@code main} would, and keeps what it printed. */
final class Cli {
    private Cli() {
    }

    record Outcome(int code, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
        }
    }

    static Outcome run(String... args) {
        return runWith(List.of(), args);
    }

    /**
     * With extra subcommands, for tests that drive the error mapping. The tree is the one
     * {@code main} builds for these arguments: only the subcommand they name, if they name one.
     */
    static Outcome runWith(List<Object> extraCommands, String... args) {
        CommandLine commandLine = Main.commandLine(args);
        extraCommands.forEach(commandLine::addSubcommand);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.configure(commandLine, new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }
}
