package org.gdml4j.cli;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backends;

import picocli.CommandLine.Option;

/**
 * {@code --device}, shared by every command that computes with a {@link Backend} (solve, train, predict, validate,
 * test). The name is resolved by {@link Backends#select}, the one place that chooses a backend; a device this build
 * cannot serve is refused there with one line (exit 2), before any work and before any output is written.
 */
final class DeviceOptions {
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = Backends.DEFAULT_DEVICE,
            description = "Where the dense linear algebra runs: cpu (cuda joins with the CUDA backend). Default: ${DEFAULT-VALUE}.")
    String device;

    /** The backend of {@code --device}; refuses a name that is not a device, or a device this build cannot compute on. */
    Backend backend() {
        return Backends.select(device);
    }

    /** The device's canonical name ({@code cpu}, {@code cuda:0}), for the plan and the JSON log. */
    String name() {
        return Backends.parse(device).name();
    }
}
