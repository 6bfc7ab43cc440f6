package dev.sinkfix.validator.validate;

/**
 * One line of the report: a check of PATCH-SEMANTICS.md with its number.
 *
 * @param id         1 to 5 for the invariants as the issue numbers them, 6 for the reference
 * @param name       what is checked, in words
 * @param status     passed, failed, or not applicable (never "passed" for what did not run)
 * @param figure     the largest absolute difference found among the values compared (0 when
 *                   all were equal); NaN when nothing was compared
 * @param tolerance  how far a value may be off, as {@link dev.sinkfix.validator.Tolerance} prints it
 * @param compared   values compared
 * @param mismatches values outside the tolerance
 * @param detail     what was compared, or the first mismatches, or why the check does not apply
 * @param runFailures calls of the patched model that ONNX Runtime refused or whose outputs could not
 *                   be read where the check needed them; any makes the check fail
 */
public record CheckResult(int id, String name, Status status, double figure, String tolerance, long compared,
                          long mismatches, String detail, long runFailures) {

    public CheckResult(int id, String name, Status status, double figure, String tolerance, long compared,
                       long mismatches, String detail) {
        this(id, name, status, figure, tolerance, compared, mismatches, detail, 0);
    }

    public enum Status {
        PASSED("passed", "PASS"), FAILED("failed", "FAIL"), NOT_APPLICABLE("not-applicable", "N/A");

        private final String id;
        private final String label;

        Status(String id, String label) {
            this.id = id;
            this.label = label;
        }

        /** The JSON value. */
        public String id() {
            return id;
        }

        /** The table's column. */
        public String label() {
            return label;
        }
    }

    public boolean failed() {
        return status == Status.FAILED;
    }
}
