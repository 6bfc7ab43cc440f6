package dev.sinkfix.validator;

/**
 * How far a value may be from the expected one: {@code |actual - expected| <= absolute +
 * relative * |expected|}. Equal infinities match; NaN matches only NaN. {@link #EXACT} accepts
 * equal values only, counting -0.0 and +0.0 as equal (a captured -0.0 comes back +0.0 from the
 * sum that collects it).
 */
public record Tolerance(double absolute, double relative) {
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public Tolerance {
        if (!(absolute >= 0) || !(relative >= 0)) {
            throw new IllegalArgumentException("tolerances are 0 or more, got " + absolute + " and " + relative);
        }
    }

    public boolean accepts(float expected, float actual) {
        if (Float.isNaN(expected) || Float.isNaN(actual)) {
            return Float.isNaN(expected) && Float.isNaN(actual);
        }
        if (expected == actual) {
            return true;
        }
        return Math.abs((double) actual - expected) <= absolute + relative * Math.abs((double) expected);
    }

    @Override
    public String toString() {
        return this.equals(EXACT) ? "exact" : "abs " + absolute + " + rel " + relative;
    }
}
