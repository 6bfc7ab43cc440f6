package dev.sinkfix.surgery.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM on the test class path, running one of the {@code main}s below, with its own
 * temporary folder: tests kill it for real (SIGKILL, SIGINT) and look at what it left.
 */
final class ChildJvm implements AutoCloseable {
    final Process process;
    private final BufferedReader out;

    private ChildJvm(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static ChildJvm start(Path tmpdir, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmpdir,
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** The next line the child prints; fails the test after a minute of silence or at its end. */
    String line() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("the child JVM ended without saying more");
        }
        return line;
    }

    /** Sends a real signal (INT, KILL) and waits for the child to end; returns its exit code. */
    int signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
        return exitCode();
    }

    int exitCode() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the child JVM did not end");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    /** Makes a scratch folder and a scratch file, prints their paths, then waits (or ends with "exit"). */
    static final class HoldScratch {
        public static void main(String[] args) throws Exception {
            System.out.println(Scratch.newFolder());
            System.out.println(Scratch.newFile(".bin"));
            System.out.flush();
            if (args.length == 0 || !args[0].equals("exit")) {
                Thread.sleep(120_000);
            }
        }
    }

    /** Saves args[0] as args[1] with its data copied, and stops for good in the middle of the copy. */
    static final class StuckSave {
        public static void main(String[] args) throws Exception {
            ModelSaver.create().copyData(true).progress((label, done, total) -> {
                System.out.println("copying " + done + " of " + total);
                System.out.flush();
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).save(ModelLoader.load(Path.of(args[0])), Path.of(args[1]));
        }
    }
}
