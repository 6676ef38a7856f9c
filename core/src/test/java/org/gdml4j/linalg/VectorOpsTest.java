package org.gdml4j.linalg;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BLAS-1 and the Vector API element-wise passes, at lengths around the SIMD width and beyond the parallel threshold. */
class VectorOpsTest {
    private final Backend be = CpuBackend.get();

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 17, 1000, 200_003})
    void elementWiseOpsMatchScalarLoops(int n) {
        Random rnd = new Random(n);
        try (Workspace ws = Workspace.shared()) {
            Vector x = ws.vector(n, "x");
            Vector y = ws.vector(n, "y");
            double[] xa = new double[n];
            double[] ya = new double[n];
            for (int i = 0; i < n; i++) {
                xa[i] = rnd.nextGaussian();
                ya[i] = rnd.nextGaussian();
            }
            x.fill(xa);
            y.fill(ya);
            double dot = 0;
            double sum = 0;
            double max = 0;
            for (int i = 0; i < n; i++) {
                dot += xa[i] * ya[i];
                sum += xa[i];
                max = Math.max(max, Math.abs(xa[i]));
            }
            assertEquals(dot, be.dot(x, y), 1e-10 * (1 + n));
            assertEquals(Math.sqrt(dotSelf(xa)), be.nrm2(x), 1e-10 * (1 + n));
            assertEquals(sum, be.sum(x), 1e-10 * (1 + n));
            assertEquals(max, be.maxAbs(x));
            be.axpby(2.0, x, -0.5, y);
            for (int i = 0; i < n; i++) {
                assertEquals(2.0 * xa[i] - 0.5 * ya[i], y.get(i), 1e-15 * (1 + Math.abs(y.get(i))));
            }
            be.multiply(x, x, y);
            for (int i = 0; i < n; i++) {
                assertEquals(xa[i] * xa[i], y.get(i));
            }
            be.axpy(1.5, x, y);
            be.scal(2, y);
            for (int i = 0; i < n; i++) {
                assertEquals(2 * (xa[i] * xa[i] + 1.5 * xa[i]), y.get(i), 1e-12);
            }
            be.fill(y, 3.25);
            assertEquals(3.25 * n, be.sum(y), 1e-9);
        }
    }

    private static double dotSelf(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return s;
    }

    /** Memory confined to the calling thread must never be handed to workers (it would throw WrongThreadException). */
    @Test
    void confinedMemoryRunsInline() {
        try (Workspace ws = Workspace.confined()) {
            Vector x = ws.vector(300_000, "x");
            Vector y = ws.vector(300_000, "y");
            be.fill(x, 2.0);
            be.fill(y, 1.0);
            be.axpby(1.0, x, 3.0, y);
            be.multiply(x, y, y);
            assertEquals(2.0 * 5.0 * 300_000, be.sum(y), 1e-6);
            assertTrue(!Parallel.shareable(x.segment()));
        }
        try (Workspace ws = Workspace.shared()) {
            assertTrue(Parallel.shareable(ws.vector(3, "s").segment()));
        }
    }

    @Test
    void maxAbsPropagatesNaN() {
        try (Workspace ws = Workspace.confined()) {
            Vector x = ws.vector(37, "x");
            x.set(30, Double.NaN);
            assertTrue(Double.isNaN(be.maxAbs(x)));
            x.set(30, 0);
            x.set(36, Double.NaN); // in the scalar tail
            assertTrue(Double.isNaN(be.maxAbs(x)));
        }
    }

    @Test
    void copyConvertsBetweenPrecisions() {
        try (Workspace ws = Workspace.confined()) {
            Vector d = ws.vector(5, "d").fill(new double[] {1, 2.5, -3, 1e-3, 7});
            Vector f = ws.vector(5, Precision.FP32, "f");
            be.copy(d, f);
            assertEquals(-3.0, f.get(2));
            Vector back = ws.vector(5, "back");
            be.copy(f, back);
            assertEquals(1e-3, back.get(3), 1e-10);
            assertEquals(7 * 7 + 1 + 6.25 + 9 + 1e-6, be.dot(f, f), 1e-5);
        }
    }

    @Test
    void stridedOperandsTakeTheScalarPath() {
        try (Workspace ws = Workspace.confined()) {
            Matrix m = ws.matrix(4, 6, "m");
            Vector row = m.row(2);
            for (int j = 0; j < 6; j++) {
                row.set(j, j + 1);
            }
            assertEquals(21, be.sum(row));
            be.axpby(1, row, 1, row);
            assertEquals(12, m.get(2, 5));
            assertEquals(0, m.get(1, 5), "neighbouring rows untouched");
        }
    }
}
