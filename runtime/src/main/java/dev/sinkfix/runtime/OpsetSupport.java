package dev.sinkfix.runtime;

import ai.onnxruntime.OrtException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises ONNX Runtime's refusal of a model stamped with an opset newer than it knows, and says
 * so in one line naming both versions: ONNX Runtime's own text is a paragraph about guarantees
 * behind a C++ signature.
 */
final class OpsetSupport {
    private static final Pattern TOO_NEW = Pattern.compile(
            "(?s)Opset (\\d+) is under development.*?support for domain (\\S+) is till opset (\\d+)");

    private OpsetSupport() {}

    /** The one-line error for {@code e}, or {@code e} itself when it is about something else. */
    static OrtException explain(OrtException e) {
        Matcher m = TOO_NEW.matcher(String.valueOf(e.getMessage()));
        if (!m.find()) {
            return e;
        }
        String domain = m.group(2).replaceAll("[.,;]+$", "");
        return new OrtException("the model imports " + domain + " opset " + m.group(1) + ", newer than the bundled"
                + " ONNX Runtime " + CudaLibraries.ortVersion() + " supports (up to opset " + m.group(3)
                + "); re-export it at opset " + m.group(3) + " or lower");
    }
}
