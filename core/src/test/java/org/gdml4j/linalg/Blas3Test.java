package org.gdml4j.linalg;

import java.util.Random;

import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Side;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BLAS level 2/3 of the CPU backend against plain-Java references, on views with ld > rows and edge shapes. */
class Blas3Test {
    private final Backend be = CpuBackend.get();
    private final Random rnd = new Random(42);

    /** A matrix view with leading dimension rows + pad inside a larger buffer, filled with {@code values}. */
    static Matrix padded(Workspace ws, double[][] values, int pad, Precision p) {
        return padded(ws, values.length, values.length == 0 ? 0 : values[0].length, values, pad, p);
    }

    /** As above with the shape given explicitly (a 0 x c array cannot say its c). */
    static Matrix padded(Workspace ws, int r, int c, double[][] values, int pad, Precision p) {
        Matrix big = ws.matrix(r + pad, Math.max(c, 1), p, "test");
        big.fill(Ref.random(new Random(7), r + pad, Math.max(c, 1))); // garbage around the view must stay unread
        return big.block(pad > 0 ? 1 : 0, 0, r, c).fill(values);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1,NO,NO", "7,5,3,NO,NO", "7,5,3,YES,NO", "7,5,3,NO,YES", "7,5,3,YES,YES", "50,3,40,NO,YES", "4,6,0,NO,NO",
            "33,17,65,YES,NO"})
    void gemmMatchesReference(int m, int n, int k, Trans ta, Trans tb) {
        try (Workspace ws = Workspace.confined()) {
            double[][] a = Ref.random(rnd, ta == Trans.NO ? m : k, ta == Trans.NO ? k : m);
            double[][] b = Ref.random(rnd, tb == Trans.NO ? k : n, tb == Trans.NO ? n : k);
            double[][] c0 = Ref.random(rnd, m, n);
            Matrix am = padded(ws, ta == Trans.NO ? m : k, ta == Trans.NO ? k : m, a, 3, Precision.FP64);
            Matrix bm = padded(ws, tb == Trans.NO ? k : n, tb == Trans.NO ? n : k, b, 2, Precision.FP64);
            Matrix cm = padded(ws, c0, 5, Precision.FP64);
            be.gemm(ta, tb, 0.7, am, bm, -1.3, cm);
            double[][] opa = ta == Trans.NO ? a : Ref.transpose(a);
            double[][] opb = tb == Trans.NO ? b : Ref.transpose(b);
            double[][] ab = Ref.mul(opa, opb, m, k, n);
            double[][] expect = new double[m][n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    expect[i][j] = 0.7 * ab[i][j] - 1.3 * c0[i][j];
                }
            }
            assertTrue(Ref.maxDiff(expect, cm.toArray()) < 1e-12 * (1 + k), "gemm " + m + "x" + n + "x" + k);
        }
    }

    @Test
    void gemmInFloat32() {
        try (Workspace ws = Workspace.confined()) {
            double[][] a = Ref.random(rnd, 20, 9);
            double[][] b = Ref.random(rnd, 9, 11);
            Matrix am = padded(ws, a, 0, Precision.FP32);
            Matrix bm = padded(ws, b, 1, Precision.FP32);
            Matrix cm = ws.matrix(20, 11, Precision.FP32, "c");
            be.gemm(Trans.NO, Trans.NO, 1, am, bm, 0, cm);
            assertTrue(Ref.maxDiff(Ref.mul(a, b, 20, 9, 11), cm.toArray()) < 1e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({"6,4,NO,LOWER", "6,4,YES,LOWER", "6,4,NO,UPPER", "6,4,YES,UPPER", "1,1,NO,LOWER", "5,0,YES,LOWER"})
    void syrkMatchesReference(int n, int k, Trans t, Uplo u) {
        try (Workspace ws = Workspace.confined()) {
            double[][] a = Ref.random(rnd, t == Trans.NO ? n : k, t == Trans.NO ? k : n);
            double[][] c0 = Ref.random(rnd, n, n);
            Matrix cm = padded(ws, c0, 2, Precision.FP64);
            be.syrk(u, t, 2.0, padded(ws, t == Trans.NO ? n : k, t == Trans.NO ? k : n, a, 1, Precision.FP64), 0.5, cm);
            double[][] opa = t == Trans.NO ? a : Ref.transpose(a);
            double[][] aat = Ref.mul(opa, Ref.transpose(opa), n, k, n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    boolean stored = u == Uplo.LOWER ? i >= j : i <= j;
                    double expect = stored ? 2.0 * aat[i][j] + 0.5 * c0[i][j] : c0[i][j];
                    assertEquals(expect, cm.get(i, j), 1e-12, "(" + i + "," + j + ")");
                }
            }
        }
    }

    /** The panel split that protects against OpenBLAS's dsyrk crash on >4 GiB operands gives the same result. */
    @ParameterizedTest
    @CsvSource({"NO,LOWER", "YES,LOWER", "NO,UPPER", "YES,UPPER"})
    void syrkPanelSplitIsExact(Trans t, Uplo u) {
        try (Workspace ws = Workspace.confined()) {
            int n = 23;
            int k = 31;
            double[][] a = Ref.random(rnd, t == Trans.NO ? n : k, t == Trans.NO ? k : n);
            Matrix am = padded(ws, a, 3, Precision.FP64);
            Matrix whole = ws.matrix(n, n, "whole");
            be.syrk(u, t, 1.0, am, 0.0, whole);
            CpuBackend panels = CpuBackend.create(CpuBackend.Settings.defaults().withSyrkPanelBytes(5L * am.ld() * 8)); // 5 columns
            Matrix split = ws.matrix(n, n, "split");
            panels.syrk(u, t, 1.0, am, 0.0, split);
            assertTrue(Ref.maxDiff(whole.toArray(), split.toArray()) < 1e-12);
        }
    }

    @ParameterizedTest
    @CsvSource({"LEFT,LOWER,NO", "LEFT,LOWER,YES", "LEFT,UPPER,NO", "RIGHT,LOWER,YES", "RIGHT,UPPER,NO"})
    void trsmSolves(Side side, Uplo uplo, Trans trans) {
        try (Workspace ws = Workspace.confined()) {
            int n = 9;
            int m = 4;
            double[][] t = Ref.random(rnd, n, n);
            for (int i = 0; i < n; i++) {
                t[i][i] = 5 + Math.abs(t[i][i]);
                for (int j = 0; j < n; j++) {
                    if (uplo == Uplo.LOWER ? j > i : j < i) {
                        t[i][j] = 0;
                    }
                }
            }
            double[][] x = side == Side.LEFT ? Ref.random(rnd, n, m) : Ref.random(rnd, m, n);
            double[][] opt = trans == Trans.NO ? t : Ref.transpose(t);
            double[][] b = side == Side.LEFT ? Ref.mul(opt, x, n, n, m) : Ref.mul(x, opt, m, n, n);
            Matrix bm = padded(ws, b, 2, Precision.FP64);
            be.trsm(side, uplo, trans, Diag.NON_UNIT, 1.0, padded(ws, t, 1, Precision.FP64), bm);
            assertTrue(Ref.maxDiff(x, bm.toArray()) < 1e-12);
        }
    }

    @Test
    void gemvBothWaysWithStridedVectors() {
        try (Workspace ws = Workspace.confined()) {
            double[][] a = Ref.random(rnd, 8, 5);
            Matrix am = padded(ws, a, 2, Precision.FP64);
            Matrix xs = ws.matrix(3, 8, "x holder"); // x as a row of a 3 x 8 matrix: inc = 3
            Vector x5 = xs.row(1).slice(0, 5);
            Vector x8 = xs.row(2);
            for (int i = 0; i < 8; i++) {
                x8.set(i, rnd.nextGaussian());
                if (i < 5) {
                    x5.set(i, rnd.nextGaussian());
                }
            }
            Vector y8 = ws.vector(8, "y8");
            be.gemv(Trans.NO, 1, am, x5, 0, y8);
            Vector y5 = ws.vector(5, "y5");
            be.gemv(Trans.YES, 1, am, x8, 0, y5);
            for (int i = 0; i < 8; i++) {
                double s = 0;
                for (int j = 0; j < 5; j++) {
                    s += a[i][j] * x5.get(j);
                }
                assertEquals(s, y8.get(i), 1e-12);
            }
            for (int j = 0; j < 5; j++) {
                double s = 0;
                for (int i = 0; i < 8; i++) {
                    s += a[i][j] * x8.get(i);
                }
                assertEquals(s, y5.get(j), 1e-12);
            }
            assertThrows(IllegalArgumentException.class, () -> be.gemv(Trans.NO, 1, am, y8, 0, y8));
        }
    }

    /** FP32 matrix, FP64 vectors: products accumulate in FP64 (sgemv would round the vectors to single precision). */
    @Test
    void mixedPrecisionGemvAccumulatesInDouble() {
        try (Workspace ws = Workspace.shared()) {
            int m = 5003;
            int n = 37;
            double[][] a = Ref.random(rnd, m, n);
            Matrix af = padded(ws, a, 3, Precision.FP32);
            Vector x = ws.vector(n, "x");
            Vector xt = ws.vector(m, "xt");
            for (int j = 0; j < n; j++) {
                x.set(j, rnd.nextGaussian());
            }
            for (int i = 0; i < m; i++) {
                xt.set(i, 1e8 + rnd.nextGaussian()); // a large offset that single precision would destroy
            }
            Vector y = ws.vector(m, "y");
            be.fill(y, 1.0);
            // the plain gemv refuses mixed precisions (no silent change of path); the capability does it
            assertThrows(IllegalArgumentException.class, () -> be.gemv(Trans.NO, 2.0, af, x, 0.5, y));
            be.mixedPrecision().orElseThrow().gemv(Trans.NO, 2.0, af, x, 0.5, y);
            Vector yt = ws.vector(n, "yt");
            be.mixedPrecision().orElseThrow().gemv(Trans.YES, 1.0, af, xt, 0.0, yt);
            for (int i = 0; i < m; i++) {
                double s = 0.5;
                for (int j = 0; j < n; j++) {
                    s += 2.0 * af.get(i, j) * x.get(j);
                }
                assertEquals(s, y.get(i), 1e-12 * (1 + Math.abs(s)));
            }
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < m; i++) {
                    s += af.get(i, j) * xt.get(i);
                }
                assertEquals(s, yt.get(j), 1e-13 * Math.abs(s) * m);
            }
        }
    }

    @Test
    void trsvSolvesLowerTriangular() {
        try (Workspace ws = Workspace.confined()) {
            double[][] l = Ref.random(rnd, 6, 6);
            for (int i = 0; i < 6; i++) {
                l[i][i] = 4 + Math.abs(l[i][i]);
                for (int j = i + 1; j < 6; j++) {
                    l[i][j] = 0;
                }
            }
            double[] x = {1, -2, 3, 0.5, -1, 2};
            Vector b = ws.vector(6, "b");
            for (int i = 0; i < 6; i++) {
                double s = 0;
                for (int j = 0; j < 6; j++) {
                    s += l[j][i] * x[j]; // b = Lᵀ x
                }
                b.set(i, s);
            }
            be.trsv(Uplo.LOWER, Trans.YES, Diag.NON_UNIT, padded(ws, l, 3, Precision.FP64), b);
            for (int i = 0; i < 6; i++) {
                assertEquals(x[i], b.get(i), 1e-12);
            }
        }
    }
}
