package org.gdml4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.testsupport.HostlessBackend;
import org.junit.jupiter.api.Test;

/**
 * The staged kernel operator (the CPU kernel serving a backend whose memory the host cannot touch) on the host-less
 * test backend: every result has the CPU kernel's bits, and a product moves exactly 2n doubles through the backend's
 * counted transfers.
 */
class StagedKernelOperatorTest {
    private static double[] download(HostlessBackend be, Matrix m) {
        try (Workspace h = Workspace.shared()) {
            Matrix host = h.matrix(m.rows(), m.cols(), m.precision(), "download");
            be.download(m, host);
            double[] out = new double[(int) (m.rows() * m.cols())];
            for (int j = 0; j < m.cols(); j++) {
                for (int i = 0; i < m.rows(); i++) {
                    out[(int) (i + j * m.rows())] = host.get(i, j);
                }
            }
            return out;
        }
    }

    private static double[] host(Matrix m) {
        double[] out = new double[(int) (m.rows() * m.cols())];
        for (int j = 0; j < m.cols(); j++) {
            for (int i = 0; i < m.rows(); i++) {
                out[(int) (i + j * m.rows())] = m.get(i, j);
            }
        }
        return out;
    }

    @Test
    void everyResultHasTheCpuKernelsBitsThroughCountedTransfers() {
        HostlessBackend dev = new HostlessBackend();
        int atoms = 9;
        try (Workspace ws = Workspace.shared();
                GdmlKernel cpu = ScalarKernelReference.randomKernel(ws, 7, atoms, ScalarKernelReference.symmetries(atoms), 5);
                // host chunks of 2 columns (FP64) or 4 (FP32): the 5 columns below cross chunk boundaries
                StagedKernelOperator staged = new StagedKernelOperator(dev,
                        ScalarKernelReference.randomKernel(ws, 7, atoms, ScalarKernelReference.symmetries(atoms), 5), 2L * 8 * 7 * 3 * atoms);
                Workspace dws = dev.workspace()) {
            int n = (int) cpu.size();
            int n3 = cpu.blockSize();
            double[] v = new Random(3).doubles(n).toArray();
            Vector hv = ws.vector(n, "v").fill(v);
            Vector hout = ws.vector(n, "Kv");
            cpu.apply(hv, hout);
            Vector dv = dws.vector(n, "v");
            Vector dout = dws.vector(n, "Kv");
            dev.upload(v, dv);
            long before = dev.transferredBytes();
            staged.apply(dv, dout);
            assertEquals(before + 16L * n, dev.transferredBytes(), "a product moves v down and K v up, nothing else");
            double[] got = new double[n];
            dev.download(dout, got);
            assertArrayEquals(hout.toArray(), got);

            long[] cols = {0, 4, n3 + 1, 3L * n3 + 2, n - 1};
            for (Precision p : Precision.values()) {
                Matrix hc = ws.matrix(n, cols.length, p, "columns");
                cpu.columns(cols, hc);
                Matrix dc = dws.matrix(n, cols.length, p, "columns");
                staged.columns(cols, dc);
                assertArrayEquals(host(hc), download(dev, dc), p + " columns");

                Matrix hb = ws.matrix(n3, n3, p, "block");
                cpu.diagonalBlock(3, hb);
                Matrix db = dws.matrix(n3, n3, p, "block");
                staged.diagonalBlock(3, db);
                assertArrayEquals(host(hb), download(dev, db), p + " diagonal block");
            }

            Matrix hk = ws.matrix(n, n, "K");
            cpu.assemble(hk, null);
            Matrix dk = dws.matrix(n, n, "K");
            staged.assemble(dk, null);
            assertArrayEquals(host(hk), download(dev, dk), "dense K");
            // the diagonal into a strided view: the dense K's own diagonal, as the closed form asks for it
            Vector hd = ws.vector(n, "diag");
            cpu.diagonal(hd);
            Matrix dd = dws.matrix(n, n, "K");
            staged.diagonal(dd.diagonal());
            double[] all = download(dev, dd);
            for (int i = 0; i < n; i++) {
                assertEquals(hd.get(i), all[i * (n + 1)], 0.0, "diagonal " + i);
            }
            assertArrayEquals(cpu.trainingDescriptors(), staged.trainingDescriptors());
            assertArrayEquals(cpu.descriptorAlphas(v), staged.descriptorAlphas(v));
        }
    }
}
