package dev.sinkfix.surgery.io;

import java.nio.file.Path;
import java.util.List;

/**
 * What a save did. {@code reused}: data files already in place (saved beside the input);
 * {@code linked} and {@code copied}: data files brought into another folder;
 * {@code written}: a data file created for weights that could not stay inside the model.
 */
public record SaveResult(Path model, List<Path> reused, List<Path> linked, List<Path> copied, List<Path> written) {
}
