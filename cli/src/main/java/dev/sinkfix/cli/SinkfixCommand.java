package dev.sinkfix.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The root command. It does nothing by itself: every action is a subcommand. */
@Command(name = "onnx-sinkfix",
        description = "Bake the attention-sink neuron fix into exported Llama and Mistral ONNX models.",
        subcommands = {DemoCommand.class, InspectCommand.class, PatchCommand.class, ProbeCommand.class,
            RunCommand.class, SampleCommand.class, TapCommand.class, ValidateCommand.class, DiffCommand.class,
            FindCommand.class,
            HelpCommand.class})
public final class SinkfixCommand implements Callable<Integer> {
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
