package dev.sinkfix.surgery.io;

import dev.sinkfix.surgery.BadInputException;
import java.nio.file.Path;

/**
 * A model refers to an external data file that is not there: a graph shared without its
 * weights. Bad input for anything that needs the weights; {@code inspect}, and {@code patch} or
 * {@code tap} with {@code --allow-missing-data}, load the graph without it.
 */
public final class MissingDataException extends BadInputException {
    private final String location;

    MissingDataException(String tensor, String location, Path folder) {
        super("external data file '" + ExternalDataCheck.printable(location) + "' (tensor '"
                + ExternalDataCheck.printable(tensor) + "') does not exist in " + folder
                + ": the model is graph-only; inspect reads it, patch and tap edit it with --allow-missing-data, "
                + "and running it needs the weights");
        this.location = location;
    }

    /** The missing file, as the model spells it (relative to the model's folder). */
    public String location() {
        return location;
    }
}
