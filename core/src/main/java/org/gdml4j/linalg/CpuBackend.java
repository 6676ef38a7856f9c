package org.gdml4j.linalg;

import org.gdml4j.nativ.BlasInfo;
import org.gdml4j.nativ.NativeLibraries;
import org.gdml4j.nativ.blas.generated.Blas;

/**
 * {@link Backend} on the CPU: CBLAS and LAPACK through the jextract bindings (whichever library
 * {@link NativeLibraries} loaded), element-wise passes with the Vector API ({@link VectorOps}).
 * Stateless apart from the library, so one instance serves the whole process.
 */
public final class CpuBackend implements Backend {
    private static final CpuBackend INSTANCE = new CpuBackend();
    /**
     * Multithreaded OpenBLAS dsyrk has been seen to segfault on operands spanning over 4 GiB (docs/native-notes.md §4);
     * larger syrk calls are split into column panels of A spanning at most this many bytes (package-visible
     * so a test can force the split on small matrices).
     */
    static long SYRK_PANEL_BYTES = 1L << 31;

    private final BlasInfo library;

    private CpuBackend() {
        this.library = NativeLibraries.blas();
    }

    /** The CPU backend; loads BLAS/LAPACK on first use (a missing library surfaces as a clear message here). */
    public static CpuBackend get() {
        return INSTANCE;
    }

    public BlasInfo library() {
        return library;
    }

    @Override
    public String name() {
        return "cpu (" + library.describe() + ")";
    }

    // ---- level 1 ----

    @Override
    public double dot(Vector x, Vector y) {
        sameLength(x, y);
        if (x.precision() == Precision.FP32 && y.precision() == Precision.FP32) {
            return Blas.cblas_dsdot(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
        }
        fp64(x, y);
        return Blas.cblas_ddot(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
    }

    @Override
    public void axpy(double alpha, Vector x, Vector y) {
        sameLength(x, y);
        if (samePrecision32(x, y)) {
            Blas.cblas_saxpy(dim(x.length()), (float) alpha, x.segment(), inc(x), y.segment(), inc(y));
            return;
        }
        fp64(x, y);
        Blas.cblas_daxpy(dim(x.length()), alpha, x.segment(), inc(x), y.segment(), inc(y));
    }

    @Override
    public void scal(double alpha, Vector x) {
        if (x.precision() == Precision.FP32) {
            Blas.cblas_sscal(dim(x.length()), (float) alpha, x.segment(), inc(x));
        } else {
            Blas.cblas_dscal(dim(x.length()), alpha, x.segment(), inc(x));
        }
    }

    @Override
    public double nrm2(Vector x) {
        if (x.precision() == Precision.FP32) {
            return Blas.cblas_snrm2(dim(x.length()), x.segment(), inc(x));
        }
        return Blas.cblas_dnrm2(dim(x.length()), x.segment(), inc(x));
    }

    @Override
    public void copy(Vector x, Vector y) {
        sameLength(x, y);
        if (x.precision() != y.precision()) {
            for (long i = 0; i < x.length(); i++) {
                y.set(i, x.get(i));
            }
        } else if (x.precision() == Precision.FP32) {
            Blas.cblas_scopy(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
        } else {
            Blas.cblas_dcopy(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
        }
    }

    // ---- level 2 ----

    @Override
    public void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
        long m = trans == Trans.NO ? a.rows() : a.cols();
        long n = trans == Trans.NO ? a.cols() : a.rows();
        if (x.length() != n || y.length() != m) {
            throw new IllegalArgumentException("gemv: " + (trans == Trans.NO ? "A" : "Aᵀ") + " " + a + " times " + x + " into " + y);
        }
        if (a.precision() == Precision.FP32 && x.precision() == Precision.FP64 && y.precision() == Precision.FP64
                && x.isContiguous() && y.isContiguous()) {
            if (trans == Trans.NO && a.rows() < a.cols()) {
                FusedProjection.sweep(a, null, x, alpha, beta, y); // wide: split by columns, not by the few row blocks
            } else if (trans == Trans.NO) {
                MixedGemv.plain(alpha, a, x, beta, y);
            } else {
                MixedGemv.transposed(alpha, a, x, beta, y);
            }
            return;
        }
        if (a.precision() == Precision.FP32 && x.precision() == Precision.FP32 && y.precision() == Precision.FP32) {
            Blas.cblas_sgemv(Blas.CblasColMajor(), op(trans), dim(a.rows()), dim(a.cols()), (float) alpha, a.segment(), dim(a.ld()),
                    x.segment(), inc(x), (float) beta, y.segment(), inc(y));
            return;
        }
        fp64(a, x, y);
        Blas.cblas_dgemv(Blas.CblasColMajor(), op(trans), dim(a.rows()), dim(a.cols()), alpha, a.segment(), dim(a.ld()),
                x.segment(), inc(x), beta, y.segment(), inc(y));
    }

    @Override
    public void projectOut(Matrix a, Vector t, Vector z, Vector w) {
        if (z.length() != a.cols() || w.length() != a.rows() || (t != null && t.length() != a.rows())) {
            throw new IllegalArgumentException("projectOut: " + a + " with " + t + ", " + z + ", " + w);
        }
        if (a.precision() == Precision.FP32 && z.precision() == Precision.FP64 && w.precision() == Precision.FP64
                && z.isContiguous() && w.isContiguous() && (t == null || (t.precision() == Precision.FP64 && t.isContiguous()))) {
            FusedProjection.sweep(a, t, z, 1.0, 0.0, w);
            return;
        }
        if (t != null) {
            gemv(Trans.YES, -1.0, a, t, 1.0, z);
        }
        gemv(Trans.NO, 1.0, a, z, 0.0, w);
    }

    @Override
    public void symv(Uplo uplo, double alpha, Matrix a, Vector x, double beta, Vector y) {
        if (!a.isSquare() || x.length() != a.rows() || y.length() != a.rows()) {
            throw new IllegalArgumentException("symv: " + a + " times " + x + " into " + y);
        }
        fp64(a, x, y);
        Blas.cblas_dsymv(Blas.CblasColMajor(), uplo(uplo), dim(a.rows()), alpha, a.segment(), dim(a.ld()), x.segment(), inc(x),
                beta, y.segment(), inc(y));
    }

    @Override
    public void trsv(Uplo uplo, Trans trans, Diag diag, Matrix a, Vector x) {
        if (!a.isSquare() || x.length() != a.rows()) {
            throw new IllegalArgumentException("trsv: " + a + " with " + x);
        }
        if (a.precision() == Precision.FP32 && x.precision() == Precision.FP32) {
            Blas.cblas_strsv(Blas.CblasColMajor(), uplo(uplo), op(trans), diag(diag), dim(a.rows()), a.segment(), dim(a.ld()),
                    x.segment(), inc(x));
            return;
        }
        fp64(a, x);
        Blas.cblas_dtrsv(Blas.CblasColMajor(), uplo(uplo), op(trans), diag(diag), dim(a.rows()), a.segment(), dim(a.ld()),
                x.segment(), inc(x));
    }

    // ---- level 3 ----

    @Override
    public void gemm(Trans transA, Trans transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        long m = transA == Trans.NO ? a.rows() : a.cols();
        long k = transA == Trans.NO ? a.cols() : a.rows();
        long kb = transB == Trans.NO ? b.rows() : b.cols();
        long n = transB == Trans.NO ? b.cols() : b.rows();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n + ", C " + c);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (all32(a, b, c)) {
            Blas.cblas_sgemm(Blas.CblasColMajor(), op(transA), op(transB), dim(m), dim(n), dim(k), (float) alpha, a.segment(),
                    dim(a.ld()), b.segment(), dim(b.ld()), (float) beta, c.segment(), dim(c.ld()));
            return;
        }
        fp64(a, b, c);
        Blas.cblas_dgemm(Blas.CblasColMajor(), op(transA), op(transB), dim(m), dim(n), dim(k), alpha, a.segment(), dim(a.ld()),
                b.segment(), dim(b.ld()), beta, c.segment(), dim(c.ld()));
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c) {
        long n = trans == Trans.NO ? a.rows() : a.cols();
        if (!c.isSquare() || c.rows() != n) {
            throw new IllegalArgumentException("syrk: " + a + " into " + c);
        }
        if (n == 0) {
            return;
        }
        if (!all32(a, c)) {
            fp64(a, c);
        }
        long colBytes = a.ld() * a.precision().bytes();
        long panel = Math.max(1, SYRK_PANEL_BYTES / colBytes); // columns of A per panel
        if (a.spanBytes() <= SYRK_PANEL_BYTES || a.cols() <= panel) {
            syrkCall(uplo, trans, alpha, a, beta, c);
        } else if (trans == Trans.NO) {
            // C = Σ_p A_p A_pᵀ over column panels of A
            for (long done = 0; done < a.cols(); done += panel) {
                long w = Math.min(panel, a.cols() - done);
                syrkCall(uplo, trans, alpha, a.columns(done, w), done == 0 ? beta : 1.0, c);
            }
        } else {
            // C = AᵀA by blocks: C_ii = A_iᵀA_i (syrk), off-diagonal blocks of the stored triangle by gemm
            for (long i = 0; i < n; i += panel) {
                long wi = Math.min(panel, n - i);
                Matrix ai = a.columns(i, wi);
                syrkCall(uplo, trans, alpha, ai, beta, c.block(i, i, wi, wi));
                for (long j = i + wi; j < n; j += panel) {
                    long wj = Math.min(panel, n - j);
                    Matrix aj = a.columns(j, wj);
                    if (uplo == Uplo.LOWER) {
                        gemm(Trans.YES, Trans.NO, alpha, aj, ai, beta, c.block(j, i, wj, wi));
                    } else {
                        gemm(Trans.YES, Trans.NO, alpha, ai, aj, beta, c.block(i, j, wi, wj));
                    }
                }
            }
        }
    }

    private static void syrkCall(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c) {
        int n = dim(c.rows());
        int k = dim(trans == Trans.NO ? a.cols() : a.rows());
        if (a.precision() == Precision.FP32) {
            Blas.cblas_ssyrk(Blas.CblasColMajor(), uplo(uplo), op(trans), n, k, (float) alpha, a.segment(), dim(a.ld()),
                    (float) beta, c.segment(), dim(c.ld()));
        } else {
            Blas.cblas_dsyrk(Blas.CblasColMajor(), uplo(uplo), op(trans), n, k, alpha, a.segment(), dim(a.ld()), beta,
                    c.segment(), dim(c.ld()));
        }
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans trans, Diag diag, double alpha, Matrix a, Matrix b) {
        long na = side == Side.LEFT ? b.rows() : b.cols();
        if (!a.isSquare() || a.rows() != na) {
            throw new IllegalArgumentException("trsm: " + a + " with " + b);
        }
        if (b.rows() == 0 || b.cols() == 0) {
            return;
        }
        int s = side == Side.LEFT ? Blas.CblasLeft() : Blas.CblasRight();
        if (all32(a, b)) {
            Blas.cblas_strsm(Blas.CblasColMajor(), s, uplo(uplo), op(trans), diag(diag), dim(b.rows()), dim(b.cols()), (float) alpha,
                    a.segment(), dim(a.ld()), b.segment(), dim(b.ld()));
            return;
        }
        fp64(a, b);
        Blas.cblas_dtrsm(Blas.CblasColMajor(), s, uplo(uplo), op(trans), diag(diag), dim(b.rows()), dim(b.cols()), alpha,
                a.segment(), dim(a.ld()), b.segment(), dim(b.ld()));
    }

    // ---- LAPACK ----

    @Override
    public int potrf(Uplo uplo, Matrix a) {
        return CpuLapack.potrf(uplo, a);
    }

    @Override
    public PivotedCholesky pstrf(Uplo uplo, Matrix a, double tol) {
        return CpuLapack.pstrf(uplo, a, tol);
    }

    @Override
    public int syevd(Uplo uplo, Matrix a, Vector w) {
        return CpuLapack.syevd(uplo, a, w);
    }

    @Override
    public int gesdd(Matrix a, Vector s, Matrix u, Matrix vt) {
        return CpuLapack.gesdd(a, s, u, vt);
    }

    @Override
    public void geqrf(Matrix a, Vector tau) {
        CpuLapack.geqrf(this, a, tau);
    }

    @Override
    public void orgqr(Matrix a, Vector tau) {
        CpuLapack.orgqr(this, a, tau);
    }

    // ---- element-wise ----

    @Override
    public void axpby(double alpha, Vector x, double beta, Vector y) {
        sameLength(x, y);
        VectorOps.axpby(alpha, x, beta, y);
    }

    @Override
    public void multiply(Vector x, Vector y, Vector z) {
        sameLength(x, y);
        sameLength(x, z);
        VectorOps.multiply(x, y, z);
    }

    @Override
    public void transpose(Matrix a, Matrix b) {
        Transpose.into(a, b);
    }

    @Override
    public void fill(Vector x, double value) {
        VectorOps.fill(x, value);
    }

    @Override
    public double sum(Vector x) {
        return VectorOps.sum(x);
    }

    @Override
    public double maxAbs(Vector x) {
        return VectorOps.maxAbs(x);
    }

    // ---- helpers ----

    /** A dimension, leading dimension or increment for the 32-bit (LP64) BLAS interface. */
    static int dim(long v) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dimension " + v + " exceeds the 32-bit BLAS/LAPACK interface (max "
                    + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    private static int inc(Vector v) {
        return dim(v.inc());
    }

    private static int op(Trans t) {
        return t == Trans.NO ? Blas.CblasNoTrans() : Blas.CblasTrans();
    }

    private static int uplo(Uplo u) {
        return u == Uplo.LOWER ? Blas.CblasLower() : Blas.CblasUpper();
    }

    private static int diag(Diag d) {
        return d == Diag.UNIT ? Blas.CblasUnit() : Blas.CblasNonUnit();
    }

    private static void sameLength(Vector x, Vector y) {
        if (x.length() != y.length()) {
            throw new IllegalArgumentException("length mismatch: " + x + " vs " + y);
        }
    }

    private static boolean samePrecision32(Vector x, Vector y) {
        return x.precision() == Precision.FP32 && y.precision() == Precision.FP32;
    }

    private static boolean all32(Matrix... ms) {
        for (Matrix m : ms) {
            if (m.precision() != Precision.FP32) {
                return false;
            }
        }
        return true;
    }

    private static void fp64(Object... operands) {
        for (Object o : operands) {
            Precision p = o instanceof Matrix m ? m.precision() : ((Vector) o).precision();
            if (p != Precision.FP64) {
                throw new IllegalArgumentException("mixed precisions are not supported here: " + java.util.Arrays.toString(operands));
            }
        }
    }
}
