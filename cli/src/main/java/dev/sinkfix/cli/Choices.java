package dev.sinkfix.cli;

import dev.sinkfix.samples.Samples;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.Preset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The real choices of options and parameters, for picocli's {@code completionCandidates}: help texts
 * list them through {@code ${COMPLETION-CANDIDATES}} from the code that accepts them, so a new sample,
 * preset or site shows up in the help without editing a description. (That variable only works in an
 * option's or parameter's description; in a command's description it prints "null".)
 */
final class Choices {
    private Choices() {
    }

    /** {@code sample NAME}: the generated presets and the 7B skeleton. */
    static final class SampleNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>(Samples.sampleNames());
            names.add(SampleCommand.SKELETON);
            return names.iterator();
        }
    }

    /** {@code patch --preset}: the poster's table. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Preset.values()).map(Preset::id).iterator();
        }
    }

    /** {@code --site}: the MLP activations the patch can pin. */
    static final class SiteNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(MlpSite.values()).map(MlpSite::cliName).iterator();
        }
    }

    /** The site a {@code --site} value names, or a one-line refusal listing the choices. */
    static MlpSite site(String text) {
        for (MlpSite s : MlpSite.values()) {
            if (s.cliName().equals(text)) {
                return s;
            }
        }
        throw new BadInputException("unknown site '" + text + "'; expected one of up, gate, act");
    }
}
