package org.gdml4j.cli;

import java.io.PrintWriter;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.nativ.NativeLibraries;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --threads} and {@code --max-memory}, shared by every command that computes. */
final class ResourceOptions {
    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for BLAS and gdml4j's workers together (default and maximum: the cores available to the process).")
    Integer threads;

    @Option(names = "--max-memory", paramLabel = "SIZE",
            description = "Cap on the memory gdml4j plans to use, e.g. 12g or 800m (default: what the system has available).")
    String maxMemory;

    /** The command this mixin belongs to: its error stream takes the warning about a capped thread count. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Applies the options process-wide; bad values are usage errors with one clear message. */
    void apply() {
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
            MemoryBudget.setUserLimit(MemoryBudget.parseBytes(maxMemory));
        }
    }
}
