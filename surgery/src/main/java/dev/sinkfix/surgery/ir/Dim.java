package dev.sinkfix.surgery.ir;

/** One dimension of a shape: a number, a symbolic name, or unknown (both null). */
public record Dim(Long value, String param) {
    public static Dim of(long value) {
        return new Dim(value, null);
    }

    public static Dim named(String param) {
        return new Dim(null, param);
    }

    public static Dim unknown() {
        return new Dim(null, null);
    }

    public boolean isKnown() {
        return value != null;
    }

    @Override
    public String toString() {
        return value != null ? value.toString() : param != null ? param : "?";
    }
}
