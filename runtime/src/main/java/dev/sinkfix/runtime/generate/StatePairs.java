package dev.sinkfix.runtime.generate;

import dev.sinkfix.runtime.IoSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the state a decoder threads from call to call, by the names and shapes of its inputs and
 * outputs alone:
 * <ul>
 *   <li>{@code past_key_values.*} returns as {@code present.*} (Hugging Face, onnxruntime-genai);
 *   <li>{@code past_sink_state.*} returns as {@code present_sink_state.*} (a patched model);
 *   <li>any other input {@code past*} returns as {@code present*} with the same suffix.
 * </ul>
 * The pair must agree in element type and rank. Its batch axis is the one named like
 * {@code input_ids}' batch (else a symbolic axis 0); the one other symbolic axis, where there is
 * one, is the past length that grows by each call's tokens.
 */
public final class StatePairs {
    private StatePairs() {}

    /** What was found: the pairs, and for each {@code past*} input that does not pair up, why. */
    public record Found(List<StatePair> pairs, Map<String, String> problems) {
        public Found {
            pairs = List.copyOf(pairs);
            problems = Map.copyOf(problems);
        }
    }

    /** The output names a state input may come back as, most specific first; empty for other inputs. */
    public static List<String> presentNames(String pastName) {
        List<String> names = new ArrayList<>();
        if (pastName.startsWith("past_key_values")) {
            names.add("present" + pastName.substring("past_key_values".length()));
        }
        if (pastName.startsWith("past")) {
            names.add("present" + pastName.substring("past".length()));
        }
        return names;
    }

    /**
     * Pairs every {@code past*} input of {@code inputs} with its output.
     *
     * @param batchDim the symbolic name of {@code input_ids}' batch dimension, "" where unknown
     */
    public static Found find(List<IoSpec> inputs, List<IoSpec> outputs, String batchDim) {
        Map<String, IoSpec> byName = new LinkedHashMap<>();
        outputs.forEach(o -> byName.put(o.name(), o));
        List<StatePair> pairs = new ArrayList<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (IoSpec past : inputs) {
            List<String> candidates = presentNames(past.name());
            if (candidates.isEmpty()) {
                continue;
            }
            Optional<IoSpec> present = candidates.stream().map(byName::get).filter(o -> o != null).findFirst();
            if (present.isEmpty()) {
                problems.put(past.name(), "no output " + String.join(" or ", candidates) + " returns it");
                continue;
            }
            String problem = pair(past, present.get(), batchDim, pairs);
            if (problem != null) {
                problems.put(past.name(), problem);
            }
        }
        return new Found(pairs, problems);
    }

    private static String pair(IoSpec past, IoSpec present, String batchDim, List<StatePair> pairs) {
        if (past.dtype() != present.dtype() || past.rank() != present.rank()) {
            return "it is " + past + " but " + present + " comes back";
        }
        if (past.rank() == 0) {
            return "it is a scalar, not state with a batch dimension";
        }
        long[] shape = past.shape();
        int batchAxis = -1;
        if (!batchDim.isEmpty()) {
            batchAxis = past.dimNames().indexOf(batchDim);
        }
        if (batchAxis < 0 && shape[0] < 0) {
            batchAxis = 0;
        }
        List<Integer> open = new ArrayList<>();
        for (int axis = 0; axis < shape.length; axis++) {
            if (axis != batchAxis && shape[axis] < 0) {
                open.add(axis);
            }
        }
        if (open.size() > 1) {
            return "dimensions " + open + " of " + past + " are all open; expected at most one past-length axis";
        }
        pairs.add(new StatePair(past, present, batchAxis, open.isEmpty() ? -1 : open.get(0)));
        return null;
    }
}
