package org.gdml4j.cli;

import java.io.PrintWriter;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backends;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.nativ.NativeLibraries;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --device}, {@code --threads} and {@code --max-memory}, shared by every command that computes: the backend
 * of the command comes from here ({@link #backend()}, through {@link Backends}, the one place that picks a backend).
 */
final class ResourceOptions {
    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = Backends.DEFAULT_DEVICE,
            description = "Where the dense linear algebra runs: cpu, cuda or cuda:N (GPU N, from 0). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for BLAS and gdml4j's workers together (default and maximum: the cores available to the process).")
    Integer threads;

    @Option(names = "--max-memory", paramLabel = "SIZE",
            description = "Cap on the memory gdml4j plans to use, e.g. 12g or 800m (default: what the system has available).")
    String maxMemory;

    /** The command this mixin belongs to: its error stream takes the warning about a capped thread count. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private Backend backend;
    private boolean applied;

    /**
     * The backend for this command, on {@code --device}, configured by the options: its memory budget carries
     * {@code --max-memory}; the thread count is set process-wide (BLAS has one). Bad values are usage errors with one
     * clear message.
     */
    Backend backend() {
        if (backend == null) {
            apply();
            long limit = maxMemory == null ? -1 : MemoryBudget.parseBytes(maxMemory);
            backend = Backends.select(device, limit);
        }
        return backend;
    }

    /** The canonical name of {@code --device} ({@code cpu}, {@code cuda:0}), for the plan and the JSON log. */
    String deviceName() {
        return Backends.parse(device).name();
    }

    /**
     * Validates the options (a device this build cannot serve is refused here, before any work or output, exit 2) and
     * sets the thread count process-wide; bad values are usage errors with one clear message. Applies once: commands
     * call it first and {@link #backend()} calls it again (the capped-threads warning is printed once).
     */
    void apply() {
        if (applied) {
            return;
        }
        Backends.check(device);
        if (threads != null) {
            if (threads < 1) {
                throw new InvalidInputException("--threads must be at least 1, got " + threads);
            }
            // More threads than cores only make BLAS and the Java workers preempt each other (and each BLAS thread
            // takes its own buffers); a typo such as 1000 for 100 should not cost that silently.
            int cores = Runtime.getRuntime().availableProcessors();
            int n = threads;
            if (n > cores) {
                PrintWriter err = command.commandLine().getErr();
                err.println("gdml4j: warning: --threads " + n + " is more than the " + cores + " cores available; using " + cores);
                err.flush();
                n = cores;
            }
            NativeLibraries.setThreads(n);
        }
        if (maxMemory != null) {
            MemoryBudget.parseBytes(maxMemory); // checked here, applied by the backend's budget
        }
        applied = true;
    }
}
