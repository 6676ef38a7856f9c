package org.gdml4j.linalg;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.testsupport.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Backend} contract, checked the same way on every backend present ({@link TestBackends}): inputs go up by
 * upload, results come back by download, and plain Java loops give the expected values. Operands come in several
 * layouts: contiguous, with a leading dimension larger than the rows (a block of a bigger matrix), and strided vectors
 * (rows of a matrix); lengths are primes so that SIMD tails are exercised.
 */
class BackendContractTest {
    private static final double TOL = 1e-12;

    static List<Arguments> layouts() {
        List<Arguments> out = new ArrayList<>();
        for (Backend be : TestBackends.all()) {
            for (int pad : new int[] {0, 3}) {
                out.add(Arguments.of(be, pad));
            }
        }
        return out;
    }

    static List<Backend> backends() {
        return TestBackends.all();
    }

    /** A rows x cols matrix of backend memory holding {@code a}, inside a larger one when {@code pad} > 0 (ld = rows + pad). */
    static Matrix up(Backend be, Workspace ws, double[][] a, Precision p, int pad) {
        int rows = a.length;
        int cols = rows == 0 ? 0 : a[0].length;
        Matrix m = ws.matrix(rows + pad, Math.max(1, cols), p, "operand").block(0, 0, rows, cols);
        try (Workspace host = Workspace.shared()) {
            be.upload(host.matrix(rows, cols, p, "host operand").fill(a), m);
        }
        return m;
    }

    static double[][] down(Backend be, Matrix m) {
        try (Workspace host = Workspace.shared()) {
            Matrix h = host.matrix(m.rows(), m.cols(), m.precision(), "host result");
            be.download(m, h);
            return h.toArray();
        }
    }

    /** A vector with elements {@code v} and increment {@code inc} (a row of a matrix when inc > 1). */
    static Vector up(Backend be, Workspace ws, double[] v, int inc) {
        Vector x = inc == 1 ? ws.vector(v.length, "vector") : ws.matrix(inc, Math.max(1, v.length), "holder").row(inc - 1).slice(0, v.length);
        be.upload(v, x);
        return x;
    }

    static double[] down(Backend be, Vector x) {
        double[] out = new double[Math.toIntExact(x.length())];
        be.download(x, out);
        return out;
    }

    static double[] random(Random rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void memoryStaysOnItsSideAndTransfersAreCounted(Backend be) {
        try (Workspace ws = be.workspace()) {
            assertEquals(be.space(), ws.space());
            Vector x = ws.vector(101, "x");
            long before = be.transferredBytes();
            be.upload(random(new Random(1), 101), x);
            assertEquals(before + 808, be.transferredBytes());
            if (!be.space().hostAccessible()) {
                assertThrows(HostAccessException.class, () -> x.get(0));
                assertThrows(HostAccessException.class, () -> x.set(0, 1.0));
                assertThrows(HostAccessException.class, x::segment);
                assertThrows(HostAccessException.class, x::toArray);
                assertThrows(HostAccessException.class, () -> ws.matrix(3, 3, "m").get(1, 1));
                assertThrows(HostAccessException.class, ws::arena);
                try (Workspace host = Workspace.shared()) { // host memory is not this backend's
                    Vector h = host.vector(101, "host");
                    assertThrows(IllegalArgumentException.class, () -> be.copy(h, x));
                }
            }
            double v = be.getElement(x, 7);
            be.setElement(x, 7, v + 1);
            assertEquals(v + 1, down(be, x)[7]);
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void levelOneAndElementWise(Backend be, int pad) {
        Random rnd = new Random(2 + pad);
        int n = 1009;
        int inc = pad + 1;
        double[] a = random(rnd, n);
        double[] b = random(rnd, n);
        try (Workspace ws = be.workspace()) {
            Vector x = up(be, ws, a, inc);
            Vector y = up(be, ws, b, inc);
            double dot = 0;
            double sum = 0;
            double nrm = 0;
            double max = 0;
            for (int i = 0; i < n; i++) {
                dot += a[i] * b[i];
                sum += a[i];
                nrm += a[i] * a[i];
                max = Math.max(max, Math.abs(a[i]));
            }
            assertEquals(dot, be.dot(x, y), TOL * n);
            assertEquals(sum, be.sum(x), TOL * n);
            assertEquals(Math.sqrt(nrm), be.nrm2(x), TOL * n);
            assertEquals(max, be.maxAbs(x));
            double[] out = new double[2];
            be.dots(new Vector[] {x, x}, new Vector[] {y, x}, out);
            assertEquals(dot, out[0], TOL * n);
            assertEquals(nrm, out[1], TOL * n);
            be.axpby(2.0, x, -0.5, y);
            double[] got = down(be, y);
            for (int i = 0; i < n; i++) {
                assertEquals(2.0 * a[i] - 0.5 * b[i], got[i], TOL);
            }
            be.addSquares(-1.0, x, y);
            be.add(0.25, y);
            got = down(be, y);
            for (int i = 0; i < n; i++) {
                assertEquals(2.0 * a[i] - 0.5 * b[i] - a[i] * a[i] + 0.25, got[i], TOL);
            }
            be.setElements(y, new long[] {0, 5, n - 1}, 2, 9.0); // count 2: index n − 1 untouched
            got = down(be, y);
            assertEquals(9.0, got[0]);
            assertEquals(9.0, got[5]);
            assertTrue(got[n - 1] != 9.0);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void maxIndexFindsTheFirstLargestAndSkipsMinusInfinity(Backend be) {
        try (Workspace ws = be.workspace()) {
            double inf = Double.NEGATIVE_INFINITY;
            Vector x = up(be, ws, new double[] {inf, 3.0, -1.0, 3.0, inf}, 1);
            assertEquals(new Backend.IndexedValue(1, 3.0), be.maxIndex(x));
            Vector taken = up(be, ws, new double[] {inf, inf}, 1);
            assertEquals(inf, be.maxIndex(taken).value());
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void copiesTrianglesAndGathers(Backend be, int pad) {
        Random rnd = new Random(3 + pad);
        int n = 37;
        double[][] a = Ref.random(rnd, n, n);
        try (Workspace ws = be.workspace()) {
            Matrix m = up(be, ws, a, Precision.FP64, pad);
            Matrix f = ws.matrix(n, n, Precision.FP32, "fp32 copy");
            be.copy(m, f);
            double[][] f32 = down(be, f);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals((float) a[i][j], f32[i][j], 0.0);
                }
            }
            for (Uplo uplo : Uplo.values()) {
                Matrix t = up(be, ws, Ref.random(rnd, n, n), Precision.FP64, pad);
                be.triangle(uplo, m, t);
                double[][] tri = down(be, t);
                Matrix s = up(be, ws, a, Precision.FP64, pad);
                be.symmetrize(uplo, s);
                double[][] sym = down(be, s);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        boolean kept = uplo == Uplo.LOWER ? i >= j : i <= j;
                        assertEquals(kept ? a[i][j] : 0.0, tri[i][j]);
                        assertEquals(kept ? a[i][j] : a[j][i], sym[i][j]);
                    }
                }
            }
            long[] rows = {36, 0, 17, 17, 5};
            Matrix g = ws.matrix(rows.length, n, "gathered");
            be.gatherRows(m, rows, g);
            double[][] got = down(be, g);
            for (int i = 0; i < rows.length; i++) {
                assertArrayEquals(a[(int) rows[i]], got[i]);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void rowSquaresAndColumnDots(Backend be, int pad) {
        Random rnd = new Random(4 + pad);
        int rows = 101;
        int cols = 13;
        double[][] a = Ref.random(rnd, rows, cols);
        double[][] b = Ref.random(rnd, rows, cols);
        double[] w = random(rnd, cols);
        double[] start = random(rnd, Math.max(rows, cols));
        try (Workspace ws = be.workspace()) {
            Matrix am = up(be, ws, a, Precision.FP64, pad);
            Matrix bm = up(be, ws, b, Precision.FP64, pad);
            Vector out = up(be, ws, java.util.Arrays.copyOf(start, rows), pad + 1);
            be.rowSquares(am, up(be, ws, w, 1), 0.5, out);
            double[] got = down(be, out);
            for (int i = 0; i < rows; i++) {
                double s = 0.5 * start[i];
                for (int j = 0; j < cols; j++) {
                    s += w[j] * a[i][j] * a[i][j];
                }
                assertEquals(s, got[i], TOL * cols);
            }
            Vector dots = up(be, ws, java.util.Arrays.copyOf(start, cols), 1);
            be.columnDots(am, bm, 1.0, dots);
            got = down(be, dots);
            for (int j = 0; j < cols; j++) {
                double s = start[j];
                for (int i = 0; i < rows; i++) {
                    s += a[i][j] * b[i][j];
                }
                assertEquals(s, got[j], TOL * rows);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void levelTwoAndThree(Backend be, int pad) {
        Random rnd = new Random(5 + pad);
        int m = 41;
        int k = 29;
        double[][] a = Ref.random(rnd, m, k);
        double[][] b = Ref.random(rnd, k, m);
        double[] x = random(rnd, k);
        try (Workspace ws = be.workspace()) {
            Matrix am = up(be, ws, a, Precision.FP64, pad);
            Vector y = up(be, ws, new double[m], pad + 1);
            be.gemv(Trans.NO, 1.0, am, up(be, ws, x, pad + 1), 0.0, y);
            double[] got = down(be, y);
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    s += a[i][j] * x[j];
                }
                assertEquals(s, got[i], TOL * k);
            }
            Matrix c = ws.matrix(m, m, "C");
            be.gemm(Trans.NO, Trans.NO, 1.0, am, up(be, ws, b, Precision.FP64, pad), 0.0, c);
            assertTrue(Ref.maxDiff(Ref.mul(a, b, m, k, m), down(be, c)) < TOL * k);
            Matrix spd = up(be, ws, Ref.spd(rnd, 23), Precision.FP64, pad);
            double[][] before = down(be, spd);
            assertEquals(0, be.potrf(Uplo.LOWER, spd));
            be.triangle(Uplo.LOWER, spd, spd);
            Matrix llt = ws.matrix(23, 23, "L Lᵀ");
            be.syrk(Uplo.LOWER, Trans.NO, 1.0, spd, 0.0, llt);
            be.symmetrize(Uplo.LOWER, llt);
            assertTrue(Ref.maxDiff(before, down(be, llt)) < 1e-10);
        }
    }

    /** FP32 matrices with FP64 vectors, where a backend offers them; the others fall back to FP64 factors. */
    @ParameterizedTest
    @MethodSource("backends")
    void mixedPrecisionCapability(Backend be) {
        var mixed = be.mixedPrecision();
        if (mixed.isEmpty()) {
            System.out.println("[contract] " + be.name() + " has no FP32 x FP64 products: factors stay FP64 there");
            return;
        }
        Random rnd = new Random(6);
        int k = 7;
        int n = 1031;
        double[][] a = Ref.random(rnd, k, n);
        double[] z = random(rnd, n);
        try (Workspace ws = be.workspace()) {
            Matrix af = up(be, ws, a, Precision.FP32, 0);
            Vector w = up(be, ws, new double[k], 1);
            Vector zv = up(be, ws, z, 1);
            mixed.get().projectOut(af, null, zv, w);
            double[] got = down(be, w);
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += (float) a[i][j] * z[j];
                }
                assertEquals(s, got[i], TOL * n);
            }
            Vector xv = up(be, ws, new double[n], 1);
            assertThrows(IllegalArgumentException.class, () -> be.gemv(Trans.YES, 1.0, af, w, 0.0, xv), "plain gemv refuses mixed precisions");
        }
    }
}
