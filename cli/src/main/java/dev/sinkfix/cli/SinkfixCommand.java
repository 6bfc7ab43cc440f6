package dev.sinkfix.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The root command. It does nothing by itself: every action is a subcommand. The subcommands are
 * listed here rather than in the annotation so that {@link Main} can add only the one a command
 * line asks for: picocli reflects over every option of every subcommand it is given, which was
 * most of a short command's start-up (and loaded ONNX Runtime's and Jackson's classes for nothing).
 */
@Command(name = "onnx-sinkfix",
        description = "Bake the attention-sink neuron fix into exported Llama and Mistral ONNX models.")
public final class SinkfixCommand implements Callable<Integer> {
    /** Every subcommand, in the order the help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(DemoCommand.class, InspectCommand.class, PatchCommand.class,
            ProbeCommand.class, RunCommand.class, SampleCommand.class, TapCommand.class, ValidateCommand.class,
            DiffCommand.class, FindCommand.class, HelpCommand.class);

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a command, expected one of: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
