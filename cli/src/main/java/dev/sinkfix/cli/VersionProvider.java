package dev.sinkfix.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: this tool's version, and the ONNX Runtime and Java it runs with, for bug reports. */
public final class VersionProvider implements IVersionProvider {
    /** This tool's version, as recorded in the metadata of the models it patches. */
    public static String toolVersion() {
        return build().getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        Properties build = build();
        return new String[] {
            "onnx-sinkfix " + build.getProperty("version", "(unknown version)"),
            "ONNX Runtime " + build.getProperty("onnxruntime", "(unknown)") + ", Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }

    private static Properties build() {
        Properties build = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return build;
    }
}
