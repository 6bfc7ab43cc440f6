package dev.sinkfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.Preset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every command's help is real text: no unresolved variable, and the choices it lists are the accepted ones. */
class HelpTextsTest {
    private static final Pattern NULL_WORD = Pattern.compile("\\bnull\\b");

    @Test
    void noHelpPrintsNull() {
        List<String> commands = new ArrayList<>();
        commands.add("");
        Main.commandLine().getSubcommands().keySet().forEach(commands::add);
        assertTrue(commands.size() > 5, "the subcommands are found: " + commands);
        for (String command : commands) {
            Cli.Outcome r = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");
            assertEquals(0, r.code(), command + ": " + r.err());
            assertFalse(NULL_WORD.matcher(r.out()).find(), "`" + command + " --help` prints null:\n" + r.out());
            assertFalse(r.out().contains("${"), "`" + command + " --help` has an unresolved variable:\n" + r.out());
        }
    }

    @Test
    void sampleListsEverySampleItAccepts() {
        String help = flat(Cli.run("sample", "--help").out());
        List<String> names = new ArrayList<>(Samples.sampleNames());
        names.add("llama-2-7b-skeleton");
        assertTrue(help.contains("Which sample: " + String.join(", ", names) + "."), help);
    }

    @Test
    void patchListsThePresetsAndSites() {
        String help = flat(Cli.run("patch", "--help").out());
        for (Preset p : Preset.values()) {
            assertTrue(help.contains(p.id()), p.id() + " missing from: " + help);
        }
        List<String> sites = java.util.Arrays.stream(MlpSite.values()).map(MlpSite::cliName).toList();
        assertTrue(help.contains("one of " + String.join(", ", sites)), help);
    }

    @Test
    void devicesAreListed() {
        assertTrue(flat(Cli.run("run", "--help").out()).contains("auto, cuda, cpu"));
    }

    /** The help with its line wrapping undone. */
    private static String flat(String help) {
        return help.replaceAll("\\s*\\R\\s*", " ");
    }
}
