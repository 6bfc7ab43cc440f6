package dev.sinkfix.surgery.ir;

/** Operator-domain names. */
public final class Domains {
    public static final String STANDARD = "";
    public static final String MICROSOFT = "com.microsoft";

    private Domains() {
    }

    /** "" and "ai.onnx" both name the standard operator set. */
    public static String normalize(String domain) {
        return domain == null || domain.equals("ai.onnx") ? STANDARD : domain;
    }

    public static boolean same(String a, String b) {
        return normalize(a).equals(normalize(b));
    }
}
