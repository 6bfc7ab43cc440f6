/**
 * The {@code onnx-sinkfix} command line: one picocli command class per subcommand, shared
 * options in mixins, exceptions mapped to the exit codes of {@link dev.sinkfix.cli.ExitCodes}.
 */
package dev.sinkfix.cli;
