package org.gdml4j.cli;

import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.nativ.NativeLibraries;

import picocli.CommandLine.Option;

/** {@code --threads} and {@code --max-memory}, shared by every command that computes. */
final class ResourceOptions {
    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for BLAS and gdml4j's workers together (default: all cores available to the process).")
    Integer threads;

    @Option(names = "--max-memory", paramLabel = "SIZE",
            description = "Cap on the memory gdml4j plans to use, e.g. 12g or 800m (default: what the system has available).")
    String maxMemory;

    /** Applies the options process-wide; bad values are usage errors with one clear message. */
    void apply() {
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            NativeLibraries.setThreads(threads);
        }
        if (maxMemory != null) {
            MemoryBudget.setUserLimit(MemoryBudget.parseBytes(maxMemory));
        }
    }
}
