package org.gdml4j.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.gdml4j.linalg.Backend.IndexedValue;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.testsupport.CudaEmulation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's own kernels ({@code core/src/main/cuda/linalg_ops.cu}) run on the CPU through
 * {@link CudaEmulation}, against the CPU backend on the same operands: the reductions (sum, dot, max |x| with NaN,
 * the arg-max with ties, NaN and −∞), column dots and weighted row squares, the FP32 x FP64 products in both
 * orientations, and the structural passes. Launch shapes as {@code CudaOps} uses them (a fixed number of partials).
 */
class CudaOpsEmulatedTest {
    private final CpuBackend cpu = CpuBackend.get();
    private CudaEmulation emu;

    @BeforeEach
    void emulation() {
        emu = CudaEmulation.load().orElse(null);
        assumeTrue(emu != null, CudaEmulation.unavailableReason());
    }

    private static Vector random(Workspace ws, int n, long seed) {
        Vector v = ws.vector(n, "v");
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            v.set(i, r.nextGaussian());
        }
        return v;
    }

    /** kind 0 sum, 1 dot, 2 max |x|, over the first n elements, with {@code parts} partials as CudaOps launches them. */
    private double reduce(Workspace ws, int kind, Vector x, Vector y, int parts) {
        Vector partial = ws.vector(parts, "partials");
        Vector out = ws.vector(1, "result");
        emu.launch("reduce_partials_d", parts, 1, kind, x.length(), x.segment(), x.inc(), y == null ? null : y.segment(),
                y == null ? 0L : y.inc(), partial.segment());
        emu.launch("finish_partials_d", 1, 1, kind, 1, parts, partial.segment(), out.segment());
        return out.get(0);
    }

    @Test
    void reductionsMatchTheCpu() {
        try (Workspace ws = Workspace.shared()) {
            Vector x = random(ws, 3001, 1);
            Vector y = random(ws, 3001, 2);
            double scale = cpu.maxAbs(x) * 3001;
            assertEquals(cpu.sum(x), reduce(ws, 0, x, null, 5), 1e-13 * scale);
            assertEquals(cpu.dot(x, y), reduce(ws, 1, x, y, 5), 1e-13 * scale);
            assertEquals(cpu.maxAbs(x), reduce(ws, 2, x, null, 5), 0.0);
            x.set(1777, Double.NaN);
            assertEquals(Double.NaN, reduce(ws, 2, x, null, 5), 0.0, "max |x| is NaN when an element is");
            // arg-max: ties go to the first index, NaN is largest, taken entries are −∞
            Vector z = ws.vector(2000, "z");
            for (int i = 0; i < 2000; i++) {
                z.set(i, i % 7 == 0 ? Double.NEGATIVE_INFINITY : Math.sin(i));
            }
            z.set(1500, 5.0);
            z.set(300, 5.0);
            assertEquals(cpu.maxIndex(z), maxIndex(ws, z, 4));
            z.set(1900, Double.NaN);
            z.set(1950, Double.NaN);
            assertEquals(cpu.maxIndex(z).index(), maxIndex(ws, z, 4).index());
        }
    }

    private IndexedValue maxIndex(Workspace ws, Vector x, int parts) {
        Vector pv = ws.vector(2L * parts, "partials");
        Vector out = ws.vector(2, "result");
        emu.launch("max_index_partials_d", parts, 1, x.length(), x.segment(), x.inc(), pv.segment(), pv.segment().asSlice(8L * parts));
        emu.launch("max_index_finish_d", 1, 1, parts, pv.segment(), pv.segment().asSlice(8L * parts), out.segment());
        return new IndexedValue((long) out.get(1), out.get(0));
    }

    @Test
    void columnDotsRowSquaresAndMixedProductsMatchTheCpu() {
        try (Workspace ws = Workspace.shared()) {
            int rows = 700;
            int cols = 37;
            Matrix a = ws.matrix(rows, cols, "a");
            Matrix b = ws.matrix(rows, cols, "b");
            Random r = new Random(4);
            for (int j = 0; j < cols; j++) {
                for (int i = 0; i < rows; i++) {
                    a.set(i, j, r.nextGaussian());
                    b.set(i, j, r.nextGaussian());
                }
            }
            Vector want = random(ws, cols, 5);
            Vector got = ws.vector(cols, "got");
            cpu.copy(want, got);
            cpu.columnDots(a, b, 0.5, want);
            emu.launch("column_dots_d", 3, 1, (long) rows, (long) cols, a.segment(), a.ld(), b.segment(), b.ld(), 0.5, got.segment(), 1L);
            for (int j = 0; j < cols; j++) {
                assertEquals(want.get(j), got.get(j), 1e-12, "column dot " + j);
            }
            Vector w = random(ws, cols, 6);
            Vector rw = ws.vector(rows, "want");
            Vector rg = ws.vector(rows, "got");
            cpu.rowSquares(a, w, 0.0, rw);
            emu.launch("row_squares_d", 2, 1, (long) rows, (long) cols, a.segment(), a.ld(), w.segment(), 1L, 0.0, rg.segment(), 1L);
            for (int i = 0; i < rows; i++) {
                assertEquals(rw.get(i), rg.get(i), 1e-12 * (1 + Math.abs(rw.get(i))), "row square " + i);
            }
            // FP32 A (rows x cols) with FP64 vectors: A x (op N, column chunks) and Aᵀ y (op T)
            Matrix a32 = ws.matrix(rows, cols, Precision.FP32, "a32");
            cpu.copy(a, a32);
            Vector xv = random(ws, cols, 7);
            Vector yv = random(ws, rows, 8);
            Vector nWant = random(ws, rows, 9);
            Vector nGot = ws.vector(rows, "got");
            cpu.copy(nWant, nGot);
            cpu.mixedPrecision().orElseThrow().gemv(Trans.NO, 2.0, a32, xv, 0.5, nWant);
            long chunk = 8;
            int chunks = (int) ((cols + chunk - 1) / chunk);
            Vector partial = ws.vector((long) chunks * rows, "partials");
            emu.launch("gemv_n_f32_partial", (rows + 255) / 256, chunks, (long) rows, (long) cols, a32.segment(), a32.ld(), xv.segment(),
                    1L, chunk, partial.segment());
            emu.launch("gemv_n_finish", 2, 1, (long) rows, chunks, partial.segment(), 2.0, 0.5, nGot.segment(), 1L);
            for (int i = 0; i < rows; i++) {
                assertEquals(nWant.get(i), nGot.get(i), 1e-12 * (1 + Math.abs(nWant.get(i))), "A x, row " + i);
            }
            Vector tWant = ws.vector(cols, "want");
            Vector tGot = ws.vector(cols, "got");
            cpu.mixedPrecision().orElseThrow().gemv(Trans.YES, -1.0, a32, yv, 0.0, tWant);
            emu.launch("gemv_t_f32", 5, 1, (long) rows, (long) cols, a32.segment(), a32.ld(), yv.segment(), 1L, -1.0, 0.0,
                    tGot.segment(), 1L);
            for (int j = 0; j < cols; j++) {
                assertEquals(tWant.get(j), tGot.get(j), 1e-12 * (1 + Math.abs(tWant.get(j))), "Aᵀ y, column " + j);
            }
        }
    }

    @Test
    void structuralPassesMatchTheCpu() {
        try (Workspace ws = Workspace.shared()) {
            int n = 45;
            Matrix src = ws.matrix(n + 3, n, "src").block(0, 0, n, n);
            Random r = new Random(3);
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < n; i++) {
                    src.set(i, j, r.nextGaussian());
                }
            }
            for (Uplo uplo : Uplo.values()) {
                Matrix want = ws.matrix(n, n, "want");
                Matrix got = ws.matrix(n, n, "got");
                cpu.triangle(uplo, src, want);
                emu.launch("triangle_d", 2, 1, uplo == Uplo.LOWER ? 1 : 0, (long) n, src.segment(), src.ld(), got.segment(), got.ld());
                same(want, got, "triangle " + uplo);
                cpu.copy(src, want);
                cpu.copy(src, got);
                cpu.symmetrize(uplo, want);
                emu.launch("symmetrize_d", 2, 1, uplo == Uplo.LOWER ? 1 : 0, (long) n, got.segment(), got.ld());
                same(want, got, "symmetrize " + uplo);
            }
            long[] rows = {44, 0, 7, 7, 30};
            Matrix want = ws.matrix(rows.length, n, "want");
            Matrix got = ws.matrix(rows.length, n, "got");
            cpu.gatherRows(src, rows, want);
            MemorySegment idx = ws.allocate(8L * rows.length, "rows");
            MemorySegment.copy(rows, 0, idx, ValueLayout.JAVA_LONG, 0, rows.length);
            emu.launch("gather_rows_d", 1, 1, (long) rows.length, (long) n, src.segment(), src.ld(), idx, got.segment(), got.ld());
            same(want, got, "gatherRows");
            // conversions: FP64 -> FP32 copy and transpose
            Matrix t32 = ws.matrix(n, n, Precision.FP32, "t32");
            Matrix w32 = ws.matrix(n, n, Precision.FP32, "w32");
            cpu.transpose(src, w32);
            emu.launch("transpose_df", 2, 1, (long) n, (long) n, src.segment(), src.ld(), t32.segment(), t32.ld());
            same(w32, t32, "transpose to FP32");
            Vector v = random(ws, 100, 11);
            Vector vw = ws.vector(100, "want");
            Vector vg = ws.vector(100, "got");
            cpu.copy(v, vw);
            cpu.copy(v, vg);
            cpu.axpby(1.5, random(ws, 100, 12), -0.25, vw);
            emu.launch("axpby_d", 1, 1, 100L, 1.5, random(ws, 100, 12).segment(), 1L, -0.25, vg.segment(), 1L);
            cpu.addSquares(-1.0, v, vw);
            emu.launch("add_squares_d", 1, 1, 100L, -1.0, v.segment(), 1L, vg.segment(), 1L);
            for (int i = 0; i < 100; i++) {
                assertEquals(vw.get(i), vg.get(i), 0.0, "axpby then addSquares, " + i);
            }
        }
    }

    private static void same(Matrix want, Matrix got, String what) {
        for (long j = 0; j < want.cols(); j++) {
            for (long i = 0; i < want.rows(); i++) {
                assertEquals(want.get(i, j), got.get(i, j), 0.0, what + " [" + i + ", " + j + "]");
            }
        }
    }
}
