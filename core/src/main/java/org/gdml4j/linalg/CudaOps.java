package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;

import org.gdml4j.linalg.Backend.IndexedValue;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;

/**
 * The element-wise, structural and reduction operations of {@link CudaBackend}, each one or two launches of gdml4j's
 * kernels ({@code core/src/main/cuda/linalg_ops.cu}). Vectors are passed as (pointer, increment) and a vector is also
 * a 1 x length matrix with leading dimension inc, which is how the matrix kernels serve strided vectors. Reductions
 * use a fixed number of partials for a given length, so their results do not depend on timing; the few values the
 * host needs come back in one download.
 */
final class CudaOps {
    /**
     * Every kernel of gdml4j's PTX module: those this class launches and those of the kernel operator
     * ({@code kernel_ops.cu}). {@link CudaDevice} looks them all up when it opens; {@code CudaPtxTest} finds them in the PTX.
     */
    static final java.util.List<String> KERNELS = java.util.List.of("fill_d", "fill_f", "axpby_d", "multiply_d", "add_scalar_d",
            "add_squares_d", "set_elements_d", "copy2d_dd", "copy2d_ff", "copy2d_df", "copy2d_fd", "transpose_dd", "transpose_ff",
            "transpose_df", "transpose_fd", "triangle_d", "symmetrize_d", "gather_rows_d", "row_squares_d", "column_dots_d",
            "reduce_partials_d", "finish_partials_d", "max_index_partials_d", "max_index_finish_d", "gemv_n_f32_partial",
            "gemv_n_finish", "gemv_t_f32", "permute_columns", "jacobian_times", "jacobian_transpose_times", "matern_from_gram",
            "projections", "sub_scaled_columns", "kernel_entries");

    /** The most partial results of one reduction (blocks of its first pass). */
    static final int MAX_PARTS = 1024;

    private final CudaLaunch launch;
    private final CudaScratch scratch;

    CudaOps(CudaLaunch launch, CudaScratch scratch) {
        this.launch = launch;
        this.scratch = scratch;
    }

    // ---- element-wise ----

    void fill(MemorySegment x, long n, long inc, Precision p, double value) {
        launch.start(p == Precision.FP32 ? "fill_f" : "fill_d").i64(n).ptr(x).i64(inc).f64(value).over(n);
    }

    void axpby(long n, double alpha, MemorySegment x, long incx, double beta, MemorySegment y, long incy) {
        launch.start("axpby_d").i64(n).f64(alpha).ptr(x).i64(incx).f64(beta).ptr(y).i64(incy).over(n);
    }

    void multiply(long n, MemorySegment x, long incx, MemorySegment y, long incy, MemorySegment z, long incz) {
        launch.start("multiply_d").i64(n).ptr(x).i64(incx).ptr(y).i64(incy).ptr(z).i64(incz).over(n);
    }

    void add(long n, double c, MemorySegment x, long inc) {
        launch.start("add_scalar_d").i64(n).f64(c).ptr(x).i64(inc).over(n);
    }

    void addSquares(long n, double alpha, MemorySegment x, long incx, MemorySegment y, long incy) {
        launch.start("add_squares_d").i64(n).f64(alpha).ptr(x).i64(incx).ptr(y).i64(incy).over(n);
    }

    /** x[indices[i] * inc] ← value for i < count. */
    void setElements(MemorySegment x, long inc, long[] indices, int count, double value) {
        if (count == 0) {
            return;
        }
        MemorySegment idx = scratch.indices(indices, count);
        launch.start("set_elements_d").i64(count).ptr(x).i64(inc).ptr(idx).f64(value).over(count);
    }

    // ---- structural ----

    /** dst ← src (rows x cols, leading dimensions lds, ldd), converting precision. */
    void copy2d(long rows, long cols, MemorySegment src, long lds, Precision ps, MemorySegment dst, long ldd, Precision pd) {
        launch.start("copy2d_" + letter(ps) + letter(pd)).i64(rows).i64(cols).ptr(src).i64(lds).ptr(dst).i64(ldd).over(rows * cols);
    }

    /** b ← aᵀ (a: rows x cols), converting precision. */
    void transpose(long rows, long cols, MemorySegment a, long lda, Precision pa, MemorySegment b, long ldb, Precision pb) {
        launch.start("transpose_" + letter(pa) + letter(pb)).i64(rows).i64(cols).ptr(a).i64(lda).ptr(b).i64(ldb).over(rows * cols);
    }

    void triangle(Uplo uplo, long n, MemorySegment src, long lds, MemorySegment dst, long ldd) {
        launch.start("triangle_d").i32(uplo == Uplo.LOWER ? 1 : 0).i64(n).ptr(src).i64(lds).ptr(dst).i64(ldd).over(n * n);
    }

    void symmetrize(Uplo from, long n, MemorySegment a, long lda) {
        launch.start("symmetrize_d").i32(from == Uplo.LOWER ? 1 : 0).i64(n).ptr(a).i64(lda).over(n * n);
    }

    void gatherRows(long count, long cols, MemorySegment src, long lds, long[] rows, MemorySegment dst, long ldd) {
        if (count == 0 || cols == 0) {
            return;
        }
        MemorySegment idx = scratch.indices(rows, (int) count);
        launch.start("gather_rows_d").i64(count).i64(cols).ptr(src).i64(lds).ptr(idx).ptr(dst).i64(ldd).over(count * cols);
    }

    /** weights: null for all ones. */
    void rowSquares(long rows, long cols, MemorySegment a, long lda, MemorySegment w, long incw, double beta, MemorySegment out,
            long inco) {
        launch.start("row_squares_d").i64(rows).i64(cols).ptr(a).i64(lda).ptr(w == null ? MemorySegment.NULL : w).i64(incw)
                .f64(beta).ptr(out).i64(inco).over(rows);
    }

    void columnDots(long rows, long cols, MemorySegment a, long lda, MemorySegment b, long ldb, double beta, MemorySegment out,
            long inco) {
        if (cols > 0) {
            launch.start("column_dots_d").i64(rows).i64(cols).ptr(a).i64(lda).ptr(b).i64(ldb).f64(beta).ptr(out).i64(inco)
                    .grid((int) Math.min(cols, 65535), 1);
        }
    }

    // ---- reductions ----

    static final int SUM = 0;
    static final int DOT = 1;
    static final int MAX_ABS = 2;

    /** Partials of one reduction over n elements. */
    static int parts(long n) {
        return (int) Math.max(1, Math.min(MAX_PARTS, (n + CudaLaunch.THREADS - 1) / CudaLaunch.THREADS));
    }

    /**
     * out[r] ← the reduction {@code kind} of pair r (x[r], y[r]: pointers and increments; y unused for SUM and MAX_ABS)
     * over n[r] elements, all in two launches per pair plus one, and one download of the results.
     */
    synchronized double[] reduce(int kind, long[] n, MemorySegment[] x, long[] incx, MemorySegment[] y, long[] incy) {
        int count = n.length;
        int parts = MAX_PARTS;
        MemorySegment partial = scratch.partials((long) count * parts);
        for (int r = 0; r < count; r++) {
            // always MAX_PARTS blocks: idle ones write 0 (the empty sum, and the empty maximum of |x|)
            MemorySegment slice = partial.asSlice(8L * r * parts, 8L * parts);
            launch.start("reduce_partials_d").i32(kind).i64(n[r]).ptr(x[r]).i64(incx[r]).ptr(y == null ? MemorySegment.NULL : y[r])
                    .i64(y == null ? 0 : incy[r]).ptr(slice).grid(parts, 1);
        }
        MemorySegment results = scratch.results(count);
        launch.start("finish_partials_d").i32(kind).i32(count).i32(parts).ptr(partial).ptr(results).grid(Math.min(count, 65535), 1);
        return scratch.download(results, count);
    }

    synchronized IndexedValue maxIndex(long n, MemorySegment x, long inc) {
        int parts = parts(n);
        MemorySegment pv = scratch.partials(2L * parts);
        MemorySegment pi = pv.asSlice(8L * parts, 8L * parts);
        launch.start("max_index_partials_d").i64(n).ptr(x).i64(inc).ptr(pv).ptr(pi).grid(parts, 1);
        MemorySegment results = scratch.results(2);
        launch.start("max_index_finish_d").i32(parts).ptr(pv).ptr(pi).ptr(results).grid(1, 1);
        double[] r = scratch.download(results, 2);
        return new IndexedValue((long) r[1], r[0]);
    }

    // ---- FP32 matrix x FP64 vectors ----

    /** y ← α op(A) x + βy with A FP32 (m x n, lda) and x, y FP64 (strided). */
    synchronized void mixedGemv(Trans trans, long m, long n, double alpha, MemorySegment a, long lda, MemorySegment x, long incx,
            double beta, MemorySegment y, long incy) {
        if (trans == Trans.YES) {
            if (n > 0) {
                launch.start("gemv_t_f32").i64(m).i64(n).ptr(a).i64(lda).ptr(x).i64(incx).f64(alpha).f64(beta).ptr(y).i64(incy)
                        .grid((int) Math.min(n, 65535), 1);
            }
            return;
        }
        if (m == 0) {
            return;
        }
        // enough column chunks to fill the device when m is small (k rows of a basis), each long enough to amortise
        long chunk = Math.max(256, (n + 63) / 64);
        int chunks = (int) Math.max(1, (n + chunk - 1) / chunk);
        MemorySegment partial = scratch.partials((long) chunks * m);
        launch.start("gemv_n_f32_partial").i64(m).i64(n).ptr(a).i64(lda).ptr(x).i64(incx).i64(chunk).ptr(partial)
                .grid((int) ((m + CudaLaunch.THREADS - 1) / CudaLaunch.THREADS), chunks);
        launch.start("gemv_n_finish").i64(m).i32(chunks).ptr(partial).f64(alpha).f64(beta).ptr(y).i64(incy).over(m);
    }

    private static String letter(Precision p) {
        return p == Precision.FP32 ? "f" : "d";
    }
}
