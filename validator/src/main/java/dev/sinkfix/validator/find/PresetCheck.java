package dev.sinkfix.validator.find;

/** Whether a poster preset fits the model's shape, and if so whether {@code find} names the same sink. */
public record PresetCheck(String preset, int layer, java.util.List<Integer> neurons, boolean fits, boolean agrees,
                          String note) {
}
