package dev.sinkfix.surgery.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scratch folders and files in the system's temporary folder that do not outlive the process: each
 * is removed when its owner releases it, and whatever is still held when the JVM exits (normally, on
 * Ctrl-C or on a SIGTERM) by a shutdown hook. A process killed outright cannot clean up; its scratch
 * carries its process id ({@link OwnedTemp}), and the next scratch made on this host removes it.
 */
public final class Scratch {
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
    private static boolean started;

    private Scratch() {
    }

    /** A new empty folder. */
    public static Path newFolder() throws IOException {
        Path dir = OwnedTemp.scratchName(start(), "");
        HELD.add(dir);
        return Files.createDirectory(dir);
    }

    /** A new empty file with this suffix (".bin"). */
    public static Path newFile(String suffix) throws IOException {
        Path file = OwnedTemp.scratchName(start(), suffix);
        HELD.add(file);
        return Files.createFile(file);
    }

    /** Deletes a folder (with its contents) or file made here, now. */
    public static void release(Path path) throws IOException {
        boolean gone = OwnedTemp.deleteTree(path);
        HELD.remove(path);
        if (!gone) {
            throw new IOException("could not remove the scratch " + path);
        }
    }

    /** The temporary folder, once cleared of a killed process's scratch, with the exit hook in place. */
    private static synchronized Path start() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (!started) {
            started = true;
            OwnedTemp.sweepScratch(tmp);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> HELD.forEach(OwnedTemp::deleteTree),
                    "onnx-sinkfix scratch cleanup"));
        }
        return tmp;
    }
}
