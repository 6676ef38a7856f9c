package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Simd;
import org.gdml4j.linalg.SimdMath;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import jdk.incubator.vector.DoubleVector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIMD loops against plain scalar references at whatever width {@link Simd} picked, with prime lengths so that
 * every loop has a tail. core/pom.xml runs this class three times: at the machine's width (the default test run) and
 * in JVMs started with {@code -Dgdml4j.simd.bits=128} and {@code =64} (executions simd-128 and simd-64), which on an
 * AVX-512 machine exercise the lane counts of AVX2 / NEON machines and of a single lane.
 */
@Tag("simd-width")
class SimdWidthTest {
    private final Backend be = CpuBackend.get();

    @Test
    void speciesFollowTheProperty() {
        int preferred = DoubleVector.SPECIES_PREFERRED.vectorBitSize();
        String bits = System.getProperty(Simd.BITS_PROPERTY);
        int expected = bits == null ? preferred : Math.min(Integer.parseInt(bits), preferred);
        assertEquals(expected, Simd.DOUBLE.vectorBitSize(), Simd.describe());
        assertEquals(Simd.WIDENED.length(), Simd.FLOAT.length(), "one FP32 load widens to one FP64 vector");
        assertTrue(Simd.WIDENED.length() >= 2 && Simd.WIDENED.length() >= Simd.DOUBLE.length());
        System.out.println("SimdWidthTest at " + Simd.describe());
    }

    /** Columns (one, few, many), the diagonal, the dense K and K·v at 13 molecules (a partial last lane group). */
    @Test
    void kernelAgreesWithTheScalarReference() {
        try (Workspace ws = Workspace.shared();
                GdmlKernel k = ScalarKernelReference.randomKernel(ws, 13, 9, ScalarKernelReference.symmetries(9), 17)) {
            ScalarKernelReference ref = new ScalarKernelReference(k);
            int n = (int) k.size();
            double[][] refK = new double[n][n];
            double maxK = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    refK[i][j] = ref.entry(i, j);
                    maxK = Math.max(maxK, Math.abs(refK[i][j]));
                }
            }
            double tol = 1e-13 * maxK;
            Matrix dense = ws.matrix(n, n, "K");
            k.assemble(dense, null);
            long[] idx = {3, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50,
                51, 52, 53, 100, 101, 102, 103, 104, 105, 106, (long) n - 1};
            Matrix cols = ws.matrix(n, idx.length, "cols");
            k.columns(idx, cols);
            Vector one = ws.vector(n, "column");
            k.column(200, one);
            Vector diag = ws.vector(n, "diag");
            k.diagonal(diag);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(refK[i][j], dense.get(i, j), tol);
                }
                for (int c = 0; c < idx.length; c++) {
                    assertEquals(refK[i][(int) idx[c]], cols.get(i, c), tol);
                }
                assertEquals(refK[i][200], one.get(i), tol);
                assertEquals(refK[i][i], diag.get(i), tol);
            }
            Vector v = ws.vector(n, "v");
            Random rnd = new Random(3);
            for (int i = 0; i < n; i++) {
                v.set(i, rnd.nextGaussian());
            }
            Vector kv = ws.vector(n, "Kv");
            k.apply(v, kv);
            double err = 0;
            double norm = 0;
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += refK[i][j] * v.get(j);
                }
                err += (s - kv.get(i)) * (s - kv.get(i));
                norm += s * s;
            }
            assertTrue(Math.sqrt(err / norm) < 1e-12, "K v off by " + Math.sqrt(err / norm));
        }
    }

    /** J v and Jᵀ u along the pair runs of 11 atoms (runs of 1..10 pairs: every tail length up to 8 lanes). */
    @Test
    void jacobianProductsMatchTheScalarLoops() {
        try (Workspace ws = Workspace.shared();
                GdmlKernel k = ScalarKernelReference.randomKernel(ws, 3, 11, Symmetries.identity(11), 5)) {
            Descriptors desc = k.descriptors();
            PairIndex pairs = desc.pairs();
            int d = desc.dim();
            int n3 = 3 * desc.atoms();
            Random rnd = new Random(9);
            double[] v = rnd.doubles(n3).toArray();
            double[] u = rnd.doubles(d).toArray();
            // off-heap like the kernel's own operands (a heap segment would also work, but slows later vector code)
            MemorySegment vs = ws.allocate(8L * n3, "v");
            MemorySegment us = ws.allocate(8L * d, "u");
            MemorySegment.copy(v, 0, vs, java.lang.foreign.ValueLayout.JAVA_DOUBLE, 0, n3);
            MemorySegment.copy(u, 0, us, java.lang.foreign.ValueLayout.JAVA_DOUBLE, 0, d);
            MemorySegment w = ws.allocate(8L * d, "w");
            MemorySegment out = ws.allocate(8L * n3, "out");
            for (int i = 0; i < 3; i++) {
                desc.jacobianTimes(i, vs, 0, w, 0);
                desc.jacobianTransposeTimes(i, us, 0, out, 0);
                double[] refOut = new double[n3];
                for (int kk = 0; kk < d; kk++) {
                    int a = 3 * pairs.first(kk);
                    int b = 3 * pairs.second(kk);
                    double s = desc.jacobian(i, kk, 0) * (v[b] - v[a]) + desc.jacobian(i, kk, 1) * (v[b + 1] - v[a + 1])
                            + desc.jacobian(i, kk, 2) * (v[b + 2] - v[a + 2]);
                    assertEquals(s, w.getAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE, kk), 0.0, "J v, pair " + kk);
                    for (int t = 0; t < 3; t++) {
                        double g = u[kk] * desc.jacobian(i, kk, t);
                        refOut[b + t] += g;
                        refOut[a + t] -= g;
                    }
                }
                for (int e = 0; e < n3; e++) {
                    assertEquals(refOut[e], out.getAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE, e), 0.0, "Jᵀ u, entry " + e);
                }
            }
        }
    }

    /** The element-wise passes (VectorOps) and the mixed-precision products (MixedGemv, FusedProjection). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 13, 31, 101, 1009})
    void linalgLoopsMatchScalarLoops(int n) {
        Random rnd = new Random(n);
        try (Workspace ws = Workspace.shared()) {
            double[] xa = rnd.doubles(n, -1, 1).toArray();
            double[] ya = rnd.doubles(n, -1, 1).toArray();
            Vector x = ws.vector(n, "x").fill(xa);
            Vector y = ws.vector(n, "y").fill(ya);
            Vector z = ws.vector(n, "z");
            be.axpby(0.7, x, -1.3, y);
            be.multiply(x, y, z);
            double sum = 0;
            double max = 0;
            for (int i = 0; i < n; i++) {
                double yi = 0.7 * xa[i] + -1.3 * ya[i];
                assertEquals(yi, y.get(i), 1e-15 * (1 + Math.abs(yi)));
                assertEquals(xa[i] * y.get(i), z.get(i), 0.0);
                sum += xa[i];
                max = Math.max(max, Math.abs(xa[i]));
            }
            assertEquals(sum, be.sum(x), 1e-13 * n);
            assertEquals(max, be.maxAbs(x), 0.0);
            be.fill(z, 2.5);
            for (int i = 0; i < n; i++) {
                assertEquals(2.5, z.get(i), 0.0);
            }
            // FP32 matrices with FP64 vectors, tall (MixedGemv.plain), wide (FusedProjection) and transposed
            for (int[] shape : new int[][] {{n + 6, n}, {n, n + 6}}) {
                int rows = shape[0];
                int cols = shape[1];
                Matrix a = ws.matrix(rows, cols, Precision.FP32, "A");
                for (int j = 0; j < cols; j++) {
                    for (int i = 0; i < rows; i++) {
                        a.set(i, j, rnd.nextGaussian());
                    }
                }
                Vector xc = ws.vector(cols, "x").fill(rnd.doubles(cols).toArray());
                Vector xr = ws.vector(rows, "x").fill(rnd.doubles(rows).toArray());
                Vector yr = ws.vector(rows, "y");
                Vector yc = ws.vector(cols, "y");
                be.mixedPrecision().orElseThrow().gemv(Backend.Trans.NO, 1.5, a, xc, 0.0, yr);
                be.mixedPrecision().orElseThrow().gemv(Backend.Trans.YES, 1.5, a, xr, 0.0, yc);
                for (int i = 0; i < rows; i++) {
                    double s = 0;
                    for (int j = 0; j < cols; j++) {
                        s += a.get(i, j) * xc.get(j);
                    }
                    assertEquals(1.5 * s, yr.get(i), 1e-13 * (1 + cols));
                }
                for (int j = 0; j < cols; j++) {
                    double s = 0;
                    for (int i = 0; i < rows; i++) {
                        s += a.get(i, j) * xr.get(i);
                    }
                    assertEquals(1.5 * s, yc.get(j), 1e-13 * (1 + rows));
                }
            }
        }
    }

    /** SimdMath at this width: every lane of exp equals the scalar exp bit for bit; sum adds the lanes in order. */
    @Test
    void simdMathLanesEqualTheScalarForms() {
        Random rnd = new Random(4);
        int lanes = Simd.DOUBLE.length();
        double[] in = new double[lanes];
        double[] out = new double[lanes];
        for (int trial = 0; trial < 1009; trial++) {
            for (int l = 0; l < lanes; l++) {
                in[l] = (rnd.nextDouble() - 0.5) * 80;
            }
            DoubleVector v = DoubleVector.fromArray(Simd.DOUBLE, in, 0);
            SimdMath.exp(v).intoArray(out, 0);
            double s = 0;
            for (int l = 0; l < lanes; l++) {
                assertEquals(SimdMath.exp(in[l]), out[l], 0.0);
                s += in[l];
            }
            assertEquals(s, SimdMath.sum(v), 0.0);
        }
    }
}
