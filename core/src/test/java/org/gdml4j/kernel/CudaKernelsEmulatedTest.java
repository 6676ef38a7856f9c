package org.gdml4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.testsupport.CudaEmulation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernel operator's CUDA kernels ({@code core/src/main/cuda/kernel_ops.cu}) run on the CPU through
 * {@link CudaEmulation}, against the CPU kernel: the explicit entries, and the kernel product assembled from the same
 * steps and in the same order as {@link CudaKernelOperator#apply} (the GEMMs by the CPU backend). Checks the formulas
 * and the index arithmetic of the device code on any machine with g++; skipped with the reason printed elsewhere.
 */
class CudaKernelsEmulatedTest {
    private CudaEmulation emu;

    @BeforeEach
    void emulation() {
        emu = CudaEmulation.load().orElse(null);
        assumeTrue(emu != null, CudaEmulation.unavailableReason());
    }

    private static Vector table(Workspace ws, int[] values) {
        Vector v = ws.vector(values.length, "table");
        for (int i = 0; i < values.length; i++) {
            v.set(i, values[i]);
        }
        return v;
    }

    private static Vector maps(Workspace ws, Symmetries sym, int d) {
        int[] all = new int[sym.count() * d];
        for (int q = 0; q < sym.count(); q++) {
            System.arraycopy(sym.descriptorMap(q), 0, all, q * d, d);
        }
        return table(ws, all);
    }

    private static double maxAbs(Matrix m) {
        double max = 0;
        for (long j = 0; j < m.cols(); j++) {
            for (long i = 0; i < m.rows(); i++) {
                max = Math.max(max, Math.abs(m.get(i, j)));
            }
        }
        return max;
    }

    @ParameterizedTest
    @CsvSource({"5, 4", "9, 5"})
    void explicitEntriesMatchTheCpuKernel(int atoms, int m) {
        Symmetries sym = ScalarKernelReference.symmetries(atoms);
        try (Workspace ws = Workspace.shared(); GdmlKernel k = ScalarKernelReference.randomKernel(ws, m, atoms, sym, 7)) {
            Descriptors desc = k.descriptors();
            int n = (int) k.size();
            int d = desc.dim();
            Matrix want = ws.matrix(n, n, "K");
            k.assemble(want, null);
            Matrix got = ws.matrix(n, n, "K");
            Vector first = table(ws, desc.pairs().firstArray());
            Vector second = table(ws, desc.pairs().secondArray());
            emu.launch("kernel_entries", 3, 1, (long) n, (long) n, 0L, 0L, null, 0, atoms, (long) d, (long) m, sym.count(),
                    desc.x().segment(), desc.x().ld(), desc.jacobian().segment(), desc.jacobian().ld(), maps(ws, sym, d).segment(),
                    first.segment(), second.segment(), k.sigma(), got.segment(), 1L, got.ld(), 0);
            double tol = 1e-13 * maxAbs(want);
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < n; i++) {
                    assertEquals(want.get(i, j), got.get(i, j), tol, "K[" + i + ", " + j + "]");
                }
            }
            // selected columns into FP32, and the diagonal into a strided view
            Vector cols = ws.vector(2, "columns");
            cols.set(0, 1);
            cols.set(1, n - 2);
            Matrix c32 = ws.matrix(n, 2, org.gdml4j.linalg.Precision.FP32, "columns");
            emu.launch("kernel_entries", 2, 1, (long) n, 2L, 0L, 0L, cols.segment(), 0, atoms, (long) d, (long) m, sym.count(),
                    desc.x().segment(), desc.x().ld(), desc.jacobian().segment(), desc.jacobian().ld(), maps(ws, sym, d).segment(),
                    first.segment(), second.segment(), k.sigma(), c32.segment(), 1L, c32.ld(), 1);
            Matrix diagHolder = ws.matrix(n, n, "diagonal");
            emu.launch("kernel_entries", 1, 1, (long) n, 1L, 0L, 0L, null, 1, atoms, (long) d, (long) m, sym.count(),
                    desc.x().segment(), desc.x().ld(), desc.jacobian().segment(), desc.jacobian().ld(), maps(ws, sym, d).segment(),
                    first.segment(), second.segment(), k.sigma(), diagHolder.segment(), n + 1L, 0L, 0);
            for (int i = 0; i < n; i++) {
                assertEquals((float) want.get(i, 1), c32.get(i, 0), 0.0, "FP32 column 1, row " + i);
                assertEquals((float) want.get(i, n - 2), c32.get(i, 1), 0.0, "FP32 column n-2, row " + i);
                assertEquals(want.get(i, i), diagHolder.get(i, i), tol, "diagonal " + i);
            }
        }
    }

    /** The product from the device steps: J v, permuted copies, T = W'ᵀX, the coefficient pass, U, the correction, Jᵀ U. */
    @ParameterizedTest
    @CsvSource({"5, 6", "9, 11"})
    void theProductFromTheDeviceStepsMatchesTheCpuKernel(int atoms, int m) {
        CpuBackend be = CpuBackend.get();
        Symmetries sym = ScalarKernelReference.symmetries(atoms);
        try (Workspace ws = Workspace.shared(); GdmlKernel k = ScalarKernelReference.randomKernel(ws, m, atoms, sym, 3)) {
            Descriptors desc = k.descriptors();
            int n = (int) k.size();
            int d = desc.dim();
            int p = sym.count();
            int mp = m * p;
            Matrix x = desc.x();
            Matrix jac = desc.jacobian();
            Vector first = table(ws, desc.pairs().firstArray());
            Vector second = table(ws, desc.pairs().secondArray());
            Vector maps = maps(ws, sym, d);
            Matrix wxp = ws.matrix(d, 2L * mp, "W' X'");
            Matrix wp = wxp.columns(0, mp);
            Matrix xp = wxp.columns(mp, mp);
            emu.launch("permute_columns", 2, 1, (long) d, (long) m, p, x.segment(), x.ld(), maps.segment(), xp.segment(), xp.ld());
            Vector norms = ws.vector(m, "norms");
            be.columnDots(x, x, 0.0, norms);
            Matrix ac = ws.matrix(2L * mp, m, "A; C");
            Matrix a = ac.block(0, 0, mp, m);
            Matrix t = ac.block(mp, 0, mp, m);
            Matrix b = ws.matrix(mp, m, "B");
            be.gemm(Trans.YES, Trans.NO, 1.0, xp, x, 0.0, a);
            emu.launch("matern_from_gram", 2, 1, (long) mp, (long) m, p, a.segment(), a.ld(), b.segment(), b.ld(), norms.segment(),
                    k.sigma());
            double[] v = new Random(9).doubles(n, -1, 1).toArray();
            Vector dv = ws.vector(n, "v").fill(v);
            Matrix w = ws.matrix(d, m, "W");
            emu.launch("jacobian_times", 2, 1, (long) m, (long) d, atoms, first.segment(), second.segment(), jac.segment(), jac.ld(),
                    dv.segment(), w.segment(), w.ld());
            emu.launch("permute_columns", 2, 1, (long) d, (long) m, p, w.segment(), w.ld(), maps.segment(), wp.segment(), wp.ld());
            Vector s = ws.vector(m, "s");
            be.columnDots(x, w, 0.0, s);
            be.gemm(Trans.YES, Trans.NO, 1.0, wp, x, 0.0, t);
            Vector colsum = ws.vector(m, "column sums");
            emu.launch("projections", 2, 1, (long) mp, (long) m, p, t.segment(), t.ld(), b.segment(), b.ld(), s.segment(),
                    colsum.segment());
            Matrix u = ws.matrix(d, m, "U");
            be.gemm(Trans.NO, Trans.NO, 1.0, wxp, ac, 0.0, u);
            emu.launch("sub_scaled_columns", 2, 1, (long) d, (long) m, x.segment(), x.ld(), colsum.segment(), u.segment(), u.ld());
            Vector got = ws.vector(n, "K v (emulated)");
            emu.launch("jacobian_transpose_times", 2, 1, (long) m, (long) d, atoms, jac.segment(), jac.ld(), u.segment(), u.ld(),
                    got.segment());
            Vector want = ws.vector(n, "K v");
            k.apply(ws.vector(n, "v").fill(v), want);
            double max = 0;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Math.abs(want.get(i)));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(want.get(i), got.get(i), 1e-12 * max, "(K v)[" + i + "]");
            }
        }
    }
}
