package dev.sinkfix.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: this tool's version, and the ONNX Runtime and Java it runs with, for bug reports. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        Properties build = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String[] {
            "onnx-sinkfix " + build.getProperty("version", "(unknown version)"),
            "ONNX Runtime " + build.getProperty("onnxruntime", "(unknown)") + ", Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
