package dev.sinkfix.validator.validate;

import dev.sinkfix.runtime.IoSpec;
import dev.sinkfix.runtime.ModelSession;
import dev.sinkfix.runtime.generate.DecoderSignature;
import dev.sinkfix.runtime.generate.StatePairs;
import dev.sinkfix.surgery.BadInputException;

/**
 * Every input of a model that {@code validate} runs must be one it drives: the token ids, the
 * mask and positions, or state the runtime threads ({@code past*} returned as {@code present*},
 * the rules {@code run} uses). Anything else is refused before a single call, naming the input and
 * what it would need, instead of failing half-way or being fed a guess.
 */
final class DrivenInputs {
    private DrivenInputs() {
    }

    /** @param role how the message names the model: "original" or "patched" */
    static void check(ModelSession session, String role) {
        DecoderSignature signature = DecoderSignature.read(session.inputs(), session.outputs());
        if (signature.inputIds() == null) {
            throw new BadInputException("the " + role + " model " + session.model() + " has no int64/int32 input_ids "
                    + "[batch, sequence] input; validate feeds token ids there");
        }
        if (signature.logits() == null) {
            throw new BadInputException("the " + role + " model " + session.model() + " has no logits output "
                    + "[batch, sequence, vocab]; validate compares next-token scores there");
        }
        String batchDim = signature.inputIds().dimNames().get(0);
        StatePairs.Found found = StatePairs.find(session.inputs(), session.outputs(), batchDim);
        for (var problem : found.problems().entrySet()) {
            throw new BadInputException("the " + role + " model's input " + session.input(problem.getKey())
                    + " looks like state, but " + problem.getValue() + "; validate threads a past* input only when a "
                    + "present* output of the same suffix, type and rank returns it");
        }
        for (IoSpec unknown : signature.unknownInputs()) {
            throw new BadInputException("the " + role + " model's input " + unknown + " is not one validate can "
                    + "drive: it feeds input_ids, attention_mask, position_ids and past*/present* state pairs; "
                    + unknown.name() + " would need a value for every call: a present* output that returns it (then "
                    + "it is threaded like a KV cache, named past*), or a constant in the graph instead of an input");
        }
    }
}
