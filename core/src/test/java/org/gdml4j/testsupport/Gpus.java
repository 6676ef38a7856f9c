package org.gdml4j.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.gdml4j.nativ.CudaStatus;
import org.gdml4j.nativ.NativeLibraries;

/** Whether a GPU is usable here, for tests that need one or need none: they skip otherwise, and print why. */
public final class Gpus {
    private Gpus() {
    }

    /** Skips the calling test (named {@code test} in the printed line) unless a GPU is usable. */
    public static CudaStatus assumeUsable(String test) {
        CudaStatus gpu = NativeLibraries.cuda();
        if (!gpu.available()) {
            System.out.println(test + ": skipped: " + gpu.reason());
        }
        assumeTrue(gpu.available(), gpu.reason());
        return gpu;
    }

    /** Skips the calling test (a check of how a missing GPU is refused) where a GPU is usable. */
    public static CudaStatus assumeNone(String test) {
        CudaStatus gpu = NativeLibraries.cuda();
        if (gpu.available()) {
            System.out.println(test + ": a GPU is usable here (" + gpu.reason() + "); its refusal is not tested");
        }
        assumeFalse(gpu.available(), "a GPU is usable here");
        return gpu;
    }
}
