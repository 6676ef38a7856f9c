package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The matrix-free product, columns, diagonal and dense assembly must describe the same matrix (with and
 * without symmetries, cached and tiled products) on random molecules.
 */
class KernelConsistencyTest {
    private final Backend be = CpuBackend.get();

    /** A random molecule of 5 atoms with a Z-preserving symmetry group of order 2 (swap atoms 3 and 4) or none. */
    static GdmlKernel randomKernel(Workspace ws, int m, boolean symmetric, long seed) {
        int atoms = 5;
        Random rnd = new Random(seed);
        double[] base = {0, 0, 0, 1.4, 0, 0, -0.5, 1.3, 0, 0.3, -0.6, 0.9, 0.2, -0.7, -0.9};
        MemorySegment r = ws.allocate((long) m * atoms * 3 * 8, "R");
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < atoms * 3; c++) {
                r.setAtIndex(ValueLayout.JAVA_DOUBLE, (long) i * atoms * 3 + c, base[c] + 0.15 * rnd.nextGaussian());
            }
        }
        int[] z = {6, 8, 6, 1, 1};
        Symmetries sym = symmetric ? Symmetries.of(new int[][] {{0, 1, 2, 3, 4}, {0, 1, 2, 4, 3}}, z) : Symmetries.identity(atoms);
        return GdmlKernel.create(CpuBackend.get(), r, m, atoms, sym, 2.0);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void productColumnsDiagonalAndAssemblyAgree(boolean symmetric) {
        try (Workspace ws = Workspace.shared(); GdmlKernel k = randomKernel(ws, 7, symmetric, 11)) {
            int n = (int) k.size();
            Matrix dense = ws.matrix(n, n, "K");
            k.assemble(dense, null);
            double maxK = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    maxK = Math.max(maxK, Math.abs(dense.get(i, j)));
                    assertEquals(dense.get(i, j), dense.get(j, i), 1e-13 * (1 + Math.abs(dense.get(i, j))), "symmetric");
                }
            }
            // product vs dense
            Random rnd = new Random(5);
            Vector v = ws.vector(n, "v");
            for (int i = 0; i < n; i++) {
                v.set(i, rnd.nextGaussian());
            }
            Vector kv = ws.vector(n, "Kv");
            Vector ref = ws.vector(n, "ref");
            for (boolean cached : new boolean[] {true, false}) {
                k.setCacheLimit(cached ? Long.MAX_VALUE : 0);
                assertEquals(cached, k.productCached());
                k.apply(v, kv);
                be.gemv(Backend.Trans.NO, 1, dense, v, 0, ref);
                be.axpy(-1, ref, kv);
                assertTrue(be.nrm2(kv) <= 1e-12 * be.nrm2(ref), "product (cached=" + cached + ") off by " + be.nrm2(kv) / be.nrm2(ref));
            }
            // scattered columns vs dense
            long[] idx = {0, 3, 14, 15, 16, 29, 44, 60, n - 1};
            Matrix cols = ws.matrix(n, idx.length, "cols");
            k.columns(idx, cols);
            for (int c = 0; c < idx.length; c++) {
                for (int i = 0; i < n; i++) {
                    assertEquals(dense.get(i, idx[c]), cols.get(i, c), 1e-13 * maxK);
                }
            }
            Vector one = ws.vector(n, "column");
            k.column(44, one);
            assertEquals(dense.get(17, 44), one.get(17), 1e-13 * maxK);
            Vector diag = ws.vector(n, "diag");
            k.diagonal(diag);
            for (int i = 0; i < n; i++) {
                assertEquals(dense.get(i, i), diag.get(i), 1e-13 * maxK);
                assertTrue(diag.get(i) > 0);
            }
        }
    }
}
