package dev.sinkfix.surgery.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A copy-on-write clone of a data file (a reflink): a file of its own that shares the blocks until
 * either is written, so it costs neither the time nor the space of a copy and, unlike a hard link,
 * writing one never changes the other. Java has no call for it (Linux's FICLONE is an ioctl), so
 * this runs GNU {@code cp --reflink=always}, which fails rather than copying where the file system
 * cannot clone. It is tried only on file systems known to clone, so elsewhere (ext4, tmpfs) no
 * process is started.
 */
final class CopyOnWrite {
    private static final Set<String> CLONING = Set.of("btrfs", "xfs", "bcachefs", "zfs", "ocfs2", "apfs");

    private CopyOnWrite() {
    }

    /** Clones {@code source} onto {@code target} (replacing it); false where that is not possible here. */
    static boolean cloneOnto(Path source, Path target) {
        try {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                    || !CLONING.contains(Files.getFileStore(target.getParent()).type().toLowerCase(Locale.ROOT))) {
                return false;
            }
            Process cp = new ProcessBuilder("cp", "--reflink=always", "--", source.toString(), target.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!cp.waitFor(60, TimeUnit.SECONDS)) {
                cp.destroyForcibly();
                return false;
            }
            return cp.exitValue() == 0 && Files.size(target) == Files.size(source);
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
