package dev.sinkfix.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Options every command has: {@code --help}, {@code --version} and {@code --stacktrace}.
 * {@link ErrorHandler} reads {@code --stacktrace} from the parse result.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
public final class CommonOptions {
    @Option(names = "--stacktrace", description = "On an error, print the full Java stack trace (for bug reports).")
    boolean stacktrace;
}
