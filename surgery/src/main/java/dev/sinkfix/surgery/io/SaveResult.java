package dev.sinkfix.surgery.io;

import java.nio.file.Path;
import java.util.List;

/**
 * What a save did. {@code reused}: data files already in place (saved beside the input: the same
 * files as the input's); {@code cloned}, {@code linked} and {@code copied}: data files brought into
 * another folder as copy-on-write clones, hard links (the same file as the input's data: writing
 * either in place changes both) or copies; {@code written}: a data file created for weights that
 * could not stay inside the model.
 */
public record SaveResult(Path model, List<Path> reused, List<Path> cloned, List<Path> linked, List<Path> copied,
                         List<Path> written) {

    /** True when the output reads a data file that is also the input's (reused or hard-linked). */
    public boolean sharesInputData() {
        return !reused.isEmpty() || !linked.isEmpty();
    }
}
