package dev.sinkfix.validator.validate;

import dev.sinkfix.runtime.generate.StatePairs;
import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The state pair that carries one patched layer's captured value between calls. The tool names it
 * {@code past_sink_state.{L}} / {@code present_sink_state.{L}}; a patch written elsewhere may call it
 * anything the runtime threads ({@code past*} returned as {@code present*}), so it is found among the
 * inputs the patched model has and the original has not.
 *
 * @param input  the state input
 * @param output the output that returns it
 */
record StateNames(String input, String output) {

    static StateNames of(Graph original, Graph patched, int layer, int neurons, Set<String> claimed) {
        String ours = "past_sink_state." + layer;
        if (patched.input(ours) != null && patched.output("present_sink_state." + layer) != null) {
            claimed.add(ours);
            return new StateNames(ours, "present_sink_state." + layer);
        }
        List<StateNames> candidates = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (Value in : patched.inputs()) {
            if (original.input(in.name()) != null || in.isInitializer() || claimed.contains(in.name())) {
                continue;
            }
            added.add(in.name());
            for (String present : StatePairs.presentNames(in.name())) {
                if (patched.output(present) != null) {
                    candidates.add(new StateNames(in.name(), present));
                    break;
                }
            }
        }
        if (candidates.size() > 1) {
            Pattern number = Pattern.compile("(^|\\D)" + layer + "(\\D|$)");
            List<StateNames> named = candidates.stream().filter(c -> number.matcher(c.input()).find()).toList();
            if (named.size() == 1) {
                candidates = named;
            }
        }
        if (candidates.size() == 1) {
            claimed.add(candidates.get(0).input());
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw new BadInputException("the patched model has no state pair for layer " + layer + ": no "
                    + ours + " input, and none of the inputs the original lacks ("
                    + (added.isEmpty() ? "there are none" : String.join(", ", added)) + ") is a past* input returned "
                    + "by a present* output; validate judges patches that carry the captured value of " + neurons
                    + " neuron(s) between calls as such a pair");
        }
        throw new BadInputException("cannot tell which state pair belongs to layer " + layer + ": "
                + String.join(", ", candidates.stream().map(StateNames::input).toList()) + " all could; name them "
                + "past_sink_state." + layer + " / present_sink_state." + layer);
    }
}
