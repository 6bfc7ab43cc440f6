package dev.sinkfix.cli;

import dev.sinkfix.surgery.io.OwnedTemp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a report or plot file whole or not at all: to a temporary beside it named after this
 * process (so a killed run's is recognisable and removed by a later save there), then renamed.
 */
final class ReportFiles {
    private ReportFiles() {
    }

    static void write(Path file, String text) throws IOException {
        Path target = file.toAbsolutePath();
        Path tmp = OwnedTemp.nameBeside(target);
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
