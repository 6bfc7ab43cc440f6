package dev.sinkfix.surgery.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Temporary files and folders that carry their owner's host and process id in their name, so that
 * a later run can tell the leftovers of a killed process (kill -9, a power cut) from the work of
 * one still running, and remove them. A leftover is removed only when it was made on this host
 * (a container sharing the folder has its own host name and process ids) and its process is gone.
 */
public final class OwnedTemp {
    private static final String HOST = host();
    private static final String OWNER = HOST + "-" + ProcessHandle.current().pid();
    /** {@code .NAME.sinkfix-HOST-PID-RANDOM.tmp}: the temporary beside a file being saved. */
    private static final Pattern BESIDE = Pattern.compile("\\..+\\.sinkfix-(.+)-(\\d+)-[0-9a-z]+\\.tmp");
    /** {@code onnx-sinkfix-HOST-PID-RANDOM}: a scratch folder or file in the system's temporary folder. */
    private static final Pattern SCRATCH = Pattern.compile("onnx-sinkfix-(.+)-(\\d+)-[0-9a-z]+(\\.[a-z]+)?");

    private OwnedTemp() {
    }

    /** A fresh name beside {@code file}, not created. */
    public static Path nameBeside(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".sinkfix-" + OWNER + "-" + random() + ".tmp");
    }

    /**
     * A new empty file beside {@code file}. Made with {@code createFile}, not {@code createTempFile},
     * so it gets the user's usual permissions (umask) rather than owner-only ones, which the rename
     * into place would keep.
     */
    public static Path createBeside(Path file) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return Files.createFile(nameBeside(file));
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** A name for a scratch folder or file in {@code parent}, with an optional suffix such as ".bin". */
    static Path scratchName(Path parent, String suffix) {
        return parent.resolve("onnx-sinkfix-" + OWNER + "-" + random() + suffix);
    }

    /** Removes the temporaries beside saved files in {@code dir} whose process is gone; returns how many. */
    public static int sweepBeside(Path dir) {
        return sweep(dir, BESIDE);
    }

    /** Removes the scratch folders and files in {@code dir} whose process is gone; returns how many. */
    static int sweepScratch(Path dir) {
        return sweep(dir, SCRATCH);
    }

    private static int sweep(Path dir, Pattern pattern) {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Matcher m = pattern.matcher(entry.getFileName().toString());
                if (m.matches() && isLeftover(m.group(1), m.group(2))) {
                    removed += deleteTree(entry) ? 1 : 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Cleaning up is a courtesy: a folder we cannot list never fails the save.
        }
        return removed;
    }

    private static boolean isLeftover(String host, String pid) {
        if (!(host + "-" + pid).equals(OWNER) && host.equals(HOST)) {
            try {
                return ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /** Deletes a file or a folder with its contents, never following symbolic links; false if something stayed. */
    static boolean deleteTree(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String random() {
        return Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }

    /** This host's name as the kernel has it (no DNS look-up), reduced to letters, digits and dashes. */
    static String host() {
        String name = null;
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                name = Files.readString(kernel).trim();
            }
        } catch (IOException | RuntimeException e) {
            // fall back to the environment
        }
        if (name == null || name.isEmpty()) {
            name = System.getenv().getOrDefault("HOSTNAME", System.getenv().getOrDefault("COMPUTERNAME", "host"));
        }
        String clean = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return clean.isEmpty() ? "host" : clean.substring(0, Math.min(clean.length(), 32));
    }
}
