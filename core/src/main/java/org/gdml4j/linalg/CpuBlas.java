package org.gdml4j.linalg;

import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Side;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.nativ.blas.generated.Blas;

/**
 * The BLAS levels 1–3 of {@link CpuBackend}: shape checks, the FP32/FP64 dispatch and the calls through the jextract
 * CBLAS bindings (LP64: dimensions must fit 32 bits). Mixed precisions are refused here; the one mixed operation the
 * CPU offers is {@link CpuMixedPrecision}.
 */
final class CpuBlas {
    private CpuBlas() {
    }

    // ---- level 1 ----

    static double dot(Vector x, Vector y) {
        sameLength(x, y);
        if (x.precision() == Precision.FP32 && y.precision() == Precision.FP32) {
            return Blas.cblas_dsdot(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
        }
        fp64(x, y);
        return Blas.cblas_ddot(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
    }

    static void axpy(double alpha, Vector x, Vector y) {
        sameLength(x, y);
        if (samePrecision32(x, y)) {
            Blas.cblas_saxpy(dim(x.length()), (float) alpha, x.segment(), inc(x), y.segment(), inc(y));
            return;
        }
        fp64(x, y);
        Blas.cblas_daxpy(dim(x.length()), alpha, x.segment(), inc(x), y.segment(), inc(y));
    }

    static void scal(double alpha, Vector x) {
        if (x.precision() == Precision.FP32) {
            Blas.cblas_sscal(dim(x.length()), (float) alpha, x.segment(), inc(x));
        } else {
            Blas.cblas_dscal(dim(x.length()), alpha, x.segment(), inc(x));
        }
    }

    static double nrm2(Vector x) {
        if (x.precision() == Precision.FP32) {
            return Blas.cblas_snrm2(dim(x.length()), x.segment(), inc(x));
        }
        return Blas.cblas_dnrm2(dim(x.length()), x.segment(), inc(x));
    }

    static void copy(Vector x, Vector y) {
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

    static void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
        Shapes.gemv(trans, a, x, y);
        if (a.precision() == Precision.FP32 && x.precision() == Precision.FP32 && y.precision() == Precision.FP32) {
            Blas.cblas_sgemv(Blas.CblasColMajor(), op(trans), dim(a.rows()), dim(a.cols()), (float) alpha, a.segment(), dim(a.ld()),
                    x.segment(), inc(x), (float) beta, y.segment(), inc(y));
            return;
        }
        fp64(a, x, y);
        Blas.cblas_dgemv(Blas.CblasColMajor(), op(trans), dim(a.rows()), dim(a.cols()), alpha, a.segment(), dim(a.ld()),
                x.segment(), inc(x), beta, y.segment(), inc(y));
    }

    static void symv(Uplo uplo, double alpha, Matrix a, Vector x, double beta, Vector y) {
        Shapes.symv(a, x, y);
        fp64(a, x, y);
        Blas.cblas_dsymv(Blas.CblasColMajor(), uplo(uplo), dim(a.rows()), alpha, a.segment(), dim(a.ld()), x.segment(), inc(x),
                beta, y.segment(), inc(y));
    }

    static void trsv(Uplo uplo, Trans trans, Diag diag, Matrix a, Vector x) {
        Shapes.trsv(a, x);
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

    static void gemm(Trans transA, Trans transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        long[] mnk = Shapes.gemm(transA, transB, a, b, c);
        long m = mnk[0];
        long n = mnk[1];
        long k = mnk[2];
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

    static void syrk(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c, long panelBytes) {
        long n = Shapes.syrk(trans, a, c);
        if (n == 0) {
            return;
        }
        if (!all32(a, c)) {
            fp64(a, c);
        }
        long colBytes = a.ld() * a.precision().bytes();
        long panel = Math.max(1, panelBytes / colBytes); // columns of A per panel
        if (a.spanBytes() <= panelBytes || a.cols() <= panel) {
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

    static void trsm(Side side, Uplo uplo, Trans trans, Diag diag, double alpha, Matrix a, Matrix b) {
        Shapes.trsm(side, a, b);
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

    // ---- helpers ----

    private static int dim(long v) {
        return Shapes.dim(v);
    }

    private static int inc(Vector v) {
        return Shapes.inc(v);
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
        Shapes.sameLength(x, y);
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
