package org.gdml4j.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.gdml4j.linalg.Backends;
import org.gdml4j.linalg.CudaBackend;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.testsupport.Gpus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernel product on the GPU ({@link CudaKernelOperator}) against the CPU kernel, to 1e-12 relative (issue #15's
 * target; the order of the sums differs, so not in bits), for molecules with and without symmetries and at molecule
 * counts that do not fill a block. Skipped, with the reason printed, where no GPU is usable.
 */
class CudaKernelProductTest {
    @BeforeEach
    void gpu() {
        Gpus.assumeUsable("CudaKernelProductTest");
    }

    @ParameterizedTest
    @CsvSource({"5, 7", "9, 13", "9, 300"})
    void theDeviceProductMatchesTheCpuKernel(int atoms, int m) {
        CudaBackend cuda = (CudaBackend) Backends.select("cuda:0");
        Symmetries sym = ScalarKernelReference.symmetries(atoms);
        try (Workspace ws = Workspace.shared();
                GdmlKernel cpu = ScalarKernelReference.randomKernel(ws, m, atoms, sym, 11);
                CudaKernelOperator gpu = new CudaKernelOperator(cuda, ScalarKernelReference.randomKernel(ws, m, atoms, sym, 11));
                Workspace dws = cuda.workspace()) {
            int n = (int) cpu.size();
            double[] v = new Random(5).doubles(n, -1, 1).toArray();
            Vector hout = ws.vector(n, "Kv");
            cpu.apply(ws.vector(n, "v").fill(v), hout);
            Vector dv = dws.vector(n, "v");
            Vector dout = dws.vector(n, "Kv");
            cuda.upload(v, dv);
            gpu.apply(dv, dout);
            double[] got = new double[n];
            cuda.download(dout, got);
            double[] want = hout.toArray();
            double max = 0;
            double err = 0;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Math.abs(want[i]));
                err = Math.max(err, Math.abs(want[i] - got[i]));
            }
            System.out.printf("[cuda] K v, %d atoms, M = %d: max error %.2e of max |K v| %.2e%n", atoms, m, err, max);
            assertTrue(err <= 1e-12 * max, "device K v differs by " + err + " (max |K v| " + max + ")");
        }
    }

    /** Columns (FP64 and FP32), the diagonal into a strided view, a diagonal block and the dense K: 1e-13 relative. */
    @ParameterizedTest
    @CsvSource({"5, 7", "9, 13"})
    void theDeviceEntriesMatchTheCpuKernel(int atoms, int m) {
        CudaBackend cuda = (CudaBackend) Backends.select("cuda:0");
        Symmetries sym = ScalarKernelReference.symmetries(atoms);
        try (Workspace ws = Workspace.shared();
                GdmlKernel cpu = ScalarKernelReference.randomKernel(ws, m, atoms, sym, 11);
                CudaKernelOperator gpu = new CudaKernelOperator(cuda, ScalarKernelReference.randomKernel(ws, m, atoms, sym, 11));
                Workspace dws = cuda.workspace(); Workspace hws = Workspace.shared()) {
            int n = (int) cpu.size();
            int n3 = cpu.blockSize();
            org.gdml4j.linalg.Matrix want = ws.matrix(n, n, "K");
            cpu.assemble(want, null);
            double max = 0;
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, Math.abs(want.get(i, j)));
                }
            }
            double tol = 1e-13 * max;
            org.gdml4j.linalg.Matrix dk = dws.matrix(n, n, "K");
            gpu.assemble(dk, null);
            org.gdml4j.linalg.Matrix got = hws.matrix(n, n, "K");
            cuda.download(dk, got);
            long[] cols = {0, 3, n3 + 1, n - 1};
            org.gdml4j.linalg.Matrix dc = dws.matrix(n, cols.length, "columns");
            gpu.columns(cols, dc);
            org.gdml4j.linalg.Matrix hc = hws.matrix(n, cols.length, "columns");
            cuda.download(dc, hc);
            org.gdml4j.linalg.Matrix dd = dws.matrix(n, n, "diag holder");
            gpu.diagonal(dd.diagonal());
            org.gdml4j.linalg.Matrix hd = hws.matrix(n, n, "diag holder");
            cuda.download(dd, hd);
            org.gdml4j.linalg.Matrix db = dws.matrix(n3, n3, "block");
            gpu.diagonalBlock(m - 1, db);
            org.gdml4j.linalg.Matrix hb = hws.matrix(n3, n3, "block");
            cuda.download(db, hb);
            double err = 0;
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < n; i++) {
                    err = Math.max(err, Math.abs(want.get(i, j) - got.get(i, j)));
                }
                err = Math.max(err, Math.abs(want.get(j, j) - hd.get(j, j)));
            }
            for (int c = 0; c < cols.length; c++) {
                for (int i = 0; i < n; i++) {
                    err = Math.max(err, Math.abs(want.get(i, (int) cols[c]) - hc.get(i, c)));
                }
            }
            int b0 = (m - 1) * n3;
            for (int c = 0; c < n3; c++) {
                for (int r = 0; r < n3; r++) {
                    err = Math.max(err, Math.abs(want.get(b0 + r, b0 + c) - hb.get(r, c)));
                }
            }
            System.out.printf("[cuda] K entries, %d atoms, M = %d: max error %.2e of max |K| %.2e%n", atoms, m, err, max);
            assertTrue(err <= tol, "device entries differ by " + err + " (max |K| " + max + ")");
        }
    }
}
