package dev.sinkfix.cli;

import dev.sinkfix.runtime.Device;
import java.util.Arrays;
import java.util.Iterator;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --device auto|cuda|cpu}, for the commands that run a model. */
public final class DeviceOptions {
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "auto",
            converter = DeviceConverter.class, completionCandidates = DeviceNames.class,
            description = "Where to run the model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). "
                    + "auto uses CUDA where it works and otherwise says why and runs on the CPU; "
                    + "cuda fails (exit code 3) where CUDA does not work.")
    Device device;

    public Device device() {
        return device;
    }

    static final class DeviceConverter implements ITypeConverter<Device> {
        @Override
        public Device convert(String value) {
            try {
                return Device.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DeviceNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Device.values()).map(Device::id).iterator();
        }
    }
}
