package org.gdml4j.kernel;

import java.util.Random;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.nativ.NativeLibraries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIMD kernel blocks (columns few and many, FP64 and FP32 outputs, the diagonal, diagonal blocks, the dense
 * assembly) against {@link ScalarKernelReference}, at molecule counts that leave a partly filled last lane group,
 * and their determinism: the same bits for any thread count and on repeated calls that reuse the scratch.
 */
class KernelBlocksTest {
    /** Relative to max|K|: what the scalar implementation and the SIMD one were required to agree to. */
    private static final double TOL = 1e-13;

    @ParameterizedTest
    @CsvSource({"2, 3", "5, 7", "9, 13"})
    void everyPathAgreesWithTheScalarReference(int atoms, int m) {
        try (Workspace ws = Workspace.shared();
                GdmlKernel k = ScalarKernelReference.randomKernel(ws, m, atoms, ScalarKernelReference.symmetries(atoms), 3)) {
            ScalarKernelReference ref = new ScalarKernelReference(k);
            int n = (int) k.size();
            int n3 = k.blockSize();
            Matrix dense = ws.matrix(n, n, "K");
            k.assemble(dense, null);
            double maxK = 0;
            double[][] refK = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    refK[i][j] = ref.entry(i, j);
                    maxK = Math.max(maxK, Math.abs(refK[i][j]));
                }
            }
            double tol = TOL * maxK;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(refK[i][j], dense.get(i, j), tol, "assembled K[" + i + ", " + j + "]");
                    // blocks K_ij, i ≠ j, are mirrored (the same number); K_ii has both triangles computed
                    assertEquals(dense.get(i, j), dense.get(j, i), i / n3 == j / n3 ? tol : 0.0, "symmetric");
                }
            }
            // few columns (r per column), from several molecules, into FP64 and FP32 views
            long[] few = {0, 1, n3 + 2, 2L * n3 - 1, (long) (m - 1) * n3, n - 1};
            checkColumns(k, ws, few, refK, tol);
            // many columns of one molecule (r in full once more than FEW_COLUMNS) plus one of the next
            int many = Math.min(n3, KernelBlocks.FEW_COLUMNS + 2);
            long[] lots = new long[many + (m > 1 ? 1 : 0)];
            for (int c = 0; c < many; c++) {
                lots[c] = c;
            }
            if (m > 1) {
                lots[many] = n3 + 1;
            }
            checkColumns(k, ws, lots, refK, tol);
            Vector one = ws.vector(n, "column");
            k.column(n - 2, one);
            for (int i = 0; i < n; i++) {
                assertEquals(refK[i][n - 2], one.get(i), tol);
            }
            // the diagonal into a contiguous FP64 vector, a strided view and an FP32 vector
            Vector diag = ws.vector(n, "diag");
            k.diagonal(diag);
            Matrix square = ws.matrix(n, n, "diag as a strided view");
            k.diagonal(square.diagonal());
            Vector single = ws.vector(n, Precision.FP32, "diag FP32");
            k.diagonal(single);
            for (int i = 0; i < n; i++) {
                assertEquals(refK[i][i], diag.get(i), tol);
                assertEquals(diag.get(i), square.get(i, i), 0.0);
                assertEquals((float) diag.get(i), (float) single.get(i), 0.0f);
                assertEquals(dense.get(i, i), diag.get(i), tol);
            }
            // diagonal blocks in block-Jacobi's order, then backwards (each lane group computed anew), FP64 and FP32
            Matrix block = ws.matrix(n3, n3, "K_ii");
            Matrix block32 = ws.matrix(n3, n3, Precision.FP32, "K_ii FP32");
            for (int step = 0; step < 2 * m; step++) {
                int i = step < m ? step : 2 * m - 1 - step;
                k.diagonalBlock(i, block);
                k.diagonalBlock(i, block32);
                for (int r = 0; r < n3; r++) {
                    for (int c = 0; c < n3; c++) {
                        assertEquals(refK[i * n3 + r][i * n3 + c], block.get(r, c), tol, "K_" + i + i + "[" + r + ", " + c + "]");
                        assertEquals((float) block.get(r, c), (float) block32.get(r, c), 0.0f);
                    }
                }
            }
        }
    }

    private static void checkColumns(GdmlKernel k, Workspace ws, long[] idx, double[][] refK, double tol) {
        int n = refK.length;
        Matrix cols = ws.matrix(n, idx.length, "cols");
        Matrix cols32 = ws.matrix(n, idx.length, Precision.FP32, "cols FP32");
        k.columns(idx, cols);
        k.columns(idx, cols32);
        for (int c = 0; c < idx.length; c++) {
            for (int i = 0; i < n; i++) {
                assertEquals(refK[i][(int) idx[c]], cols.get(i, c), tol, "K[" + i + ", " + idx[c] + "]");
                // FP32 output: the FP64 value, rounded
                assertEquals((float) cols.get(i, c), (float) cols32.get(i, c), 0.0f);
            }
        }
    }

    /** The same bits for 1, 2 and 3 workers (pieces of different sizes) and when the scratch is reused. */
    @Test
    void sameBitsForAnyThreadCountAndOnReuse() {
        int saved = NativeLibraries.threads();
        try (Workspace ws = Workspace.shared();
                GdmlKernel k = ScalarKernelReference.randomKernel(ws, 37, 9, ScalarKernelReference.symmetries(9), 8)) {
            int n = (int) k.size();
            long[] idx = {5, 27, 28, 29, 300, (long) n - 1};
            double[][] first = null;
            for (int threads : new int[] {1, 3, 2, 1}) {
                NativeLibraries.setThreads(threads);
                double[][] now = snapshot(k, ws, idx);
                if (first == null) {
                    first = now;
                } else {
                    for (int a = 0; a < first.length; a++) {
                        assertArrayEquals(first[a], now[a], "part " + a + " with " + threads + " threads");
                    }
                }
            }
        } finally {
            NativeLibraries.setThreads(saved);
        }
    }

    /** Dense K, some columns, the diagonal and one product, flattened. */
    private static double[][] snapshot(GdmlKernel k, Workspace ws, long[] idx) {
        int n = (int) k.size();
        try (Workspace tmp = Workspace.shared()) {
            Matrix dense = tmp.matrix(n, n, "K");
            k.assemble(dense, null);
            Matrix cols = tmp.matrix(n, idx.length, "cols");
            k.columns(idx, cols);
            Vector diag = tmp.vector(n, "diag");
            k.diagonal(diag);
            Vector v = tmp.vector(n, "v");
            Random rnd = new Random(2);
            for (int i = 0; i < n; i++) {
                v.set(i, rnd.nextGaussian());
            }
            Vector kv = tmp.vector(n, "Kv");
            k.apply(v, kv);
            return new double[][] {dense.asVector().toArray(), cols.asVector().toArray(), diag.toArray(), kv.toArray()};
        }
    }

    /**
     * The scratch is made once per kernel: the pivoted Cholesky's one column per step makes no scratch after the
     * first call (nor does any other call at the same thread count), and a column asked for alone equals the same
     * column asked for together with many others (no state leaks from one call's scratch into the next).
     */
    @Test
    void singleColumnsReuseTheScratch() {
        try (Workspace ws = Workspace.shared();
                GdmlKernel k = ScalarKernelReference.randomKernel(ws, 20, 9, ScalarKernelReference.symmetries(9), 4)) {
            int n = (int) k.size();
            Matrix one = ws.matrix(n, 1, "one");
            k.columns(new long[] {0}, one);
            Vector diag = ws.vector(n, "diag");
            k.diagonal(diag);
            Matrix block = ws.matrix(27, 27, "K_ii");
            k.diagonalBlock(19, block);
            long bytes = k.bytes();
            int slots = k.scratchSlots();
            Matrix all = ws.matrix(n, 27, "molecule 3");
            long[] idx = new long[27];
            for (int c = 0; c < 27; c++) {
                idx[c] = 3 * 27 + c;
            }
            k.columns(idx, all);
            for (int c = 0; c < 27; c++) {
                k.columns(new long[] {idx[c]}, one);
                for (int i = 0; i < n; i++) {
                    // r in full (many columns) and r per column (one) are the same sums in another order
                    assertEquals(all.get(i, c), one.get(i, 0), 1e-15 * (1 + Math.abs(all.get(i, c))));
                }
            }
            k.diagonal(diag);
            k.diagonalBlock(3, block);
            assertEquals(slots, k.scratchSlots(), "no scratch made after the first calls");
            assertEquals(bytes, k.bytes(), "no kernel memory after the first calls");
            assertTrue(slots >= 1 && slots <= NativeLibraries.threads(), slots + " slots");
        }
    }
}
