package dev.sinkfix.validator.validate;

import dev.sinkfix.validator.PatchedLayer;
import java.util.List;

/**
 * Everything {@code validate} found: the patch it held the model to, the prompts, one result
 * per check, what the patch does, and where the time went.
 *
 * @param patchSource {@code metadata} or {@code command line}
 * @param device      where the sessions ran ({@code cpu}, {@code cuda})
 * @param bos         the BoS id the generated prompts start with
 * @param bosSource   where it came from: {@code --bos}, {@code tokenizer.json}, {@code genai_config.json},
 *                    {@code config.json} or {@code default}
 * @param quantization the original's dynamic quantization and the rounding it measured; null when it has none
 */
public record ValidationReport(String original, String patched, String device, String patchSource,
                               List<PatchedLayer> layers, List<Prompt> prompts, List<CheckResult> checks,
                               Effects effects, Timings timings, long bos, String bosSource,
                               DynamicQuantization quantization) {

    /** Seconds spent, by kind. */
    public record Timings(double total, double sessions, double runs, double comparisons, double probe) {
    }

    public ValidationReport {
        layers = List.copyOf(layers);
        prompts = List.copyOf(prompts);
        checks = List.copyOf(checks);
    }

    /** True when no check failed (a check that does not apply is not a failure). */
    public boolean passed() {
        return checks.stream().noneMatch(CheckResult::failed);
    }

    public CheckResult check(int id) {
        return checks.stream().filter(c -> c.id() == id).findFirst().orElseThrow();
    }
}
