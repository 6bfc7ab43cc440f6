package dev.sinkfix.validator.validate;

import dev.sinkfix.runtime.generate.StepInputs;
import dev.sinkfix.validator.PaddedBatch;
import java.util.List;

/**
 * One input of the validation: a batch of token rows, run once whole and once as a prefill of
 * {@code prefix} columns followed by one-token decode steps.
 *
 * @param name   how the report names it ({@code random}, {@code user 2})
 * @param user   whether it came from {@code --prompts}
 * @param batch  the rows, left-padded
 * @param prefix columns of the prefill before the decode steps (1 to the width)
 */
public record Prompt(String name, boolean user, PaddedBatch batch, int prefix) {

    public Prompt {
        if (prefix < 1 || prefix > batch.columns()) {
            throw new IllegalArgumentException("prefix " + prefix + " of a prompt " + batch.columns() + " wide");
        }
    }

    public StepInputs whole() {
        return batch.columns(0, batch.columns());
    }

    /** The prefill and the decode steps; empty when the prompt is too short to split. */
    public List<StepInputs> steps() {
        return prefix == batch.columns() ? List.of() : batch.prefillThenDecode(prefix);
    }

    public boolean padded() {
        for (int b = 0; b < batch.rows(); b++) {
            if (batch.padding(b) > 0) {
                return true;
            }
        }
        return false;
    }

    public String shape() {
        return batch.rows() + "x" + batch.columns();
    }
}
