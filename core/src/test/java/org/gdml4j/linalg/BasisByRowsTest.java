package org.gdml4j.linalg;

import java.util.Random;

import org.gdml4j.linalg.Backend.Trans;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The operations on a tall basis stored by rows (the FP32 preconditioner factor): the converting transpose that
 * stores it, the fused Gram–Schmidt step {@link Backend.MixedPrecision#projectOut} and the wide FP32 product, against plain loops,
 * on padded views and on shapes that leave remainders after every vector width and column group.
 */
class BasisByRowsTest {
    private final Backend be = CpuBackend.get();

    @ParameterizedTest
    @CsvSource({"130,67,FP64,FP32", "67,130,FP32,FP64", "1,5,FP64,FP64", "64,64,FP32,FP32"})
    void transposeConverts(int rows, int cols, Precision from, Precision to) {
        try (Workspace ws = Workspace.shared()) {
            Matrix a = Blas3Test.padded(ws, Ref.random(new Random(3), rows, cols), 2, from);
            Matrix big = ws.matrix(cols + 3, rows, to, "b");
            Matrix b = big.block(1, 0, cols, rows);
            be.transpose(a, b);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double expected = to == Precision.FP32 ? (float) a.get(i, j) : a.get(i, j);
                    assertEquals(expected, b.get(j, i), 0.0, "(" + i + ", " + j + ")");
                }
            }
            for (int i = 0; i < rows; i++) {
                assertEquals(0.0, big.get(0, i), 0.0, "row above the view was written");
            }
        }
    }

    /** z ← z − Aᵀt, w ← A z in one sweep, A (k x n) FP32; in parallel (shared memory) and inline (confined). */
    @ParameterizedTest
    @CsvSource({"37,1003,true,true", "37,1003,true,false", "8,6,false,true", "101,2050,false,true", "5,3,true,true"})
    void projectOutMatchesTwoProducts(int k, int n, boolean shared, boolean withT) {
        Random rnd = new Random(k * 31L + n);
        try (Workspace ws = shared ? Workspace.shared() : Workspace.confined()) {
            Matrix a = Blas3Test.padded(ws, Ref.random(rnd, k, n), 1, Precision.FP32);
            Vector t = ws.vector(k, "t");
            Vector z = ws.vector(n, "z");
            Vector w = ws.vector(k, "w");
            double[] z0 = new double[n];
            for (int i = 0; i < k; i++) {
                t.set(i, rnd.nextGaussian());
                w.set(i, 99); // overwritten
            }
            for (int j = 0; j < n; j++) {
                z0[j] = 1e8 + rnd.nextGaussian(); // an offset FP32 sums would lose
                z.set(j, z0[j]);
            }
            be.mixedPrecision().orElseThrow().projectOut(a, withT ? t : null, z, w);
            double[] ze = new double[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; withT && i < k; i++) {
                    s += a.get(i, j) * t.get(i);
                }
                ze[j] = z0[j] - s;
                assertEquals(ze[j], z.get(j), 1e-14 * Math.abs(ze[j]), "z[" + j + "]");
            }
            for (int i = 0; i < k; i++) {
                double s = 0;
                double abs = 0;
                for (int j = 0; j < n; j++) {
                    s += a.get(i, j) * ze[j];
                    abs += Math.abs(a.get(i, j) * ze[j]);
                }
                assertEquals(s, w.get(i), 1e-14 * abs, "w[" + i + "]");
            }
        }
    }

    /** A wide FP32 matrix times an FP64 vector (split by columns) honours α and β. */
    @ParameterizedTest
    @CsvSource({"9,4001", "40,41"})
    void wideMixedGemv(int k, int n) {
        Random rnd = new Random(5);
        try (Workspace ws = Workspace.shared()) {
            Matrix a = Blas3Test.padded(ws, Ref.random(rnd, k, n), 2, Precision.FP32);
            Vector x = ws.vector(n, "x");
            for (int j = 0; j < n; j++) {
                x.set(j, rnd.nextGaussian());
            }
            Vector y = ws.vector(k, "y");
            be.fill(y, 3.0);
            be.mixedPrecision().orElseThrow().gemv(Trans.NO, -2.0, a, x, 0.5, y);
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += a.get(i, j) * x.get(j);
                }
                assertEquals(1.5 - 2.0 * s, y.get(i), 1e-13 * (1 + Math.abs(s)) * Math.sqrt(n));
            }
        }
    }
}
