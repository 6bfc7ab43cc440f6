package dev.sinkfix.runtime;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where a session runs. {@link #AUTO} tries CUDA and falls back to the CPU, saying why. */
public enum Device {
    AUTO,
    CUDA,
    CPU;

    /** The spelling users type: {@code auto}, {@code cuda}, {@code cpu}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #id()} (any case); the message lists the valid choices. */
    public static Device parse(String text) {
        for (Device device : values()) {
            if (device.id().equalsIgnoreCase(text.trim())) {
                return device;
            }
        }
        throw new IllegalArgumentException("unknown device '" + text + "', expected one of "
                + Arrays.stream(values()).map(Device::id).collect(Collectors.joining(", ")));
    }
}
