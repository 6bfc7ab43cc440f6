package dev.sinkfix.surgery.rewrite;

import dev.sinkfix.surgery.BadInputException;
import java.util.Locale;

/** The ordinary range {@code [lo, hi]} of one neuron after the capture position, as clamp mode keeps it. */
public record NeuronRange(float lo, float hi) {
    public NeuronRange {
        if (!Float.isFinite(lo) || !Float.isFinite(hi) || lo > hi) {
            throw new BadInputException("range " + lo + ":" + hi + " is not LO:HI with finite LO <= HI");
        }
    }

    public boolean contains(float v) {
        return v >= lo && v <= hi;
    }

    /** {@code -1.5:2.0}, what {@code --clamp N=LO:HI} and the metadata spell. */
    public String text() {
        return format(lo) + ":" + format(hi);
    }

    /** Parses {@code LO:HI} (either may be negative: {@code -3:-1}). */
    public static NeuronRange parse(String text) {
        int colon = text.indexOf(':', 1);
        try {
            if (colon > 0) {
                return new NeuronRange(Float.parseFloat(text.substring(0, colon).trim()),
                        Float.parseFloat(text.substring(colon + 1).trim()));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException("range '" + text + "' is not LO:HI (for example -1.5:2.0)");
    }

    private static String format(float v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
