package org.gdml4j.train;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Workspace;

/**
 * A quick measurement of this machine's dense rate (one dgemm of 1024, ~2 GFLOP, a fraction of a second) to turn
 * flop counts into the rough time estimates printed with a plan. Cached per process.
 */
public final class MachineSpeed {
    private static volatile double gflops = Double.NaN;

    private MachineSpeed() {
    }

    /** GFLOP/s of a square dgemm with the current threads (measured once, best of three). */
    public static double gemmGflops(Backend be) {
        double g = gflops;
        if (Double.isNaN(g)) {
            int n = 1024;
            try (Workspace ws = Workspace.confined()) {
                Matrix a = ws.matrix(n, n, "speed probe");
                Matrix c = ws.matrix(n, n, "speed probe");
                be.fill(a.asVector(), 0.5);
                double best = Double.MAX_VALUE;
                for (int r = 0; r < 3; r++) {
                    long t0 = System.nanoTime();
                    be.gemm(Trans.NO, Trans.NO, 1.0, a, a, 0.0, c);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
                g = 2.0 * n * n * n / best / 1e9;
            }
            gflops = g;
        }
        return g;
    }

    private static volatile double bandwidth = Double.NaN;

    /** Bytes/s of a dgemv streaming a 64 MB matrix (memory-bound, like the preconditioner apply); measured once. */
    public static double bandwidthBytesPerSecond(Backend be) {
        double b = bandwidth;
        if (Double.isNaN(b)) {
            int rows = 4096;
            int cols = 2048;
            try (Workspace ws = Workspace.confined()) {
                Matrix a = ws.matrix(rows, cols, "bandwidth probe");
                org.gdml4j.linalg.Vector x = ws.vector(cols, "x");
                org.gdml4j.linalg.Vector y = ws.vector(rows, "y");
                be.fill(x, 1.0);
                double best = Double.MAX_VALUE;
                for (int r = 0; r < 4; r++) {
                    long t0 = System.nanoTime();
                    be.gemv(Trans.NO, 1.0, a, x, 0.0, y);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
                b = (double) rows * cols * 8 / best;
            }
            bandwidth = b;
        }
        return b;
    }

    /** Seconds for {@code flops} at {@code efficiency} (0..1] of the measured dgemm rate. */
    public static double seconds(Backend be, double flops, double efficiency) {
        return flops / (gemmGflops(be) * 1e9 * efficiency);
    }
}
