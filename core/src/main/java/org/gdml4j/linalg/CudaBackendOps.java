package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;

import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.IndexedValue;
import org.gdml4j.linalg.Backend.MixedPrecision;
import org.gdml4j.linalg.Backend.Side;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;

/**
 * {@link CudaBackend}'s operations beyond memory and level 1: the shared operand checks ({@link Shapes}), then the
 * device call. Split from the backend class for size; it holds no state of its own.
 */
final class CudaBackendOps {
    private final CudaBackend be;

    CudaBackendOps(CudaBackend be) {
        this.be = be;
    }

    private MemorySegment d(Matrix m) {
        return be.seg(m);
    }

    private MemorySegment d(Vector v) {
        return be.seg(v);
    }

    private static int dim(long v) {
        return Shapes.dim(v);
    }

    private static int inc(Vector v) {
        return Shapes.inc(v);
    }

    /** All FP32 (true) or all FP64 (false); anything else is refused, as on the CPU. */
    static boolean all32(String op, Precision... ps) {
        boolean any32 = false;
        boolean any64 = false;
        for (Precision p : ps) {
            any32 |= p == Precision.FP32;
            any64 |= p == Precision.FP64;
        }
        if (any32 && any64) {
            throw new IllegalArgumentException("mixed precisions are not supported here: " + op + " of " + java.util.Arrays.toString(ps));
        }
        return any32;
    }

    /** Every operand FP64, else {@link UnsupportedOperationException}: what the CUDA backend offers only in FP64. */
    static void fp64(String op, Precision... ps) {
        for (Precision p : ps) {
            if (p != Precision.FP64) {
                throw new UnsupportedOperationException(op + " on the CUDA backend takes FP64 operands, got " + java.util.Arrays.toString(ps));
            }
        }
    }

    private static Precision p(Matrix m) {
        return m.precision();
    }

    private static Precision p(Vector v) {
        return v.precision();
    }

    // ---- BLAS level 2 and 3 ----

    void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
        Shapes.gemv(trans, a, x, y);
        boolean s = all32("gemv", p(a), p(x), p(y));
        be.blas().gemv(trans, dim(a.rows()), dim(a.cols()), alpha, d(a), dim(a.ld()), d(x), inc(x), beta, d(y), inc(y),
                s ? Precision.FP32 : Precision.FP64);
    }

    void symv(Uplo uplo, double alpha, Matrix a, Vector x, double beta, Vector y) {
        Shapes.symv(a, x, y);
        fp64("symv", p(a), p(x), p(y));
        be.blas().symv(uplo, dim(a.rows()), alpha, d(a), dim(a.ld()), d(x), inc(x), beta, d(y), inc(y));
    }

    void trsv(Uplo uplo, Trans trans, Diag diag, Matrix a, Vector x) {
        Shapes.trsv(a, x);
        boolean s = all32("trsv", p(a), p(x));
        be.blas().trsv(uplo, trans, diag, dim(a.rows()), d(a), dim(a.ld()), d(x), inc(x), s ? Precision.FP32 : Precision.FP64);
    }

    void gemm(Trans ta, Trans tb, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        long[] mnk = Shapes.gemm(ta, tb, a, b, c);
        if (mnk[0] == 0 || mnk[1] == 0) {
            return;
        }
        boolean s = all32("gemm", p(a), p(b), p(c));
        be.blas().gemm(ta, tb, dim(mnk[0]), dim(mnk[1]), dim(mnk[2]), alpha, d(a), dim(a.ld()), d(b), dim(b.ld()), beta, d(c),
                dim(c.ld()), s ? Precision.FP32 : Precision.FP64);
    }

    void syrk(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c) {
        long n = Shapes.syrk(trans, a, c);
        if (n == 0) {
            return;
        }
        boolean s = all32("syrk", p(a), p(c));
        long k = trans == Trans.NO ? a.cols() : a.rows();
        be.blas().syrk(uplo, trans, dim(n), dim(k), alpha, d(a), dim(a.ld()), beta, d(c), dim(c.ld()), s ? Precision.FP32 : Precision.FP64);
    }

    void trsm(Side side, Uplo uplo, Trans trans, Diag diag, double alpha, Matrix a, Matrix b) {
        Shapes.trsm(side, a, b);
        if (b.rows() == 0 || b.cols() == 0) {
            return;
        }
        boolean s = all32("trsm", p(a), p(b));
        be.blas().trsm(side, uplo, trans, diag, dim(b.rows()), dim(b.cols()), alpha, d(a), dim(a.ld()), d(b), dim(b.ld()),
                s ? Precision.FP32 : Precision.FP64);
    }

    // ---- LAPACK (cuSOLVER, FP64) ----

    int potrf(Uplo uplo, Matrix a) {
        Shapes.square("potrf", a);
        fp64("potrf", p(a));
        return a.rows() == 0 ? 0 : be.blas().potrf(uplo, dim(a.rows()), d(a), dim(a.ld()));
    }

    int syevd(Uplo uplo, Matrix a, Vector w) {
        Shapes.square("syevd", a);
        if (w.length() != a.rows() || !w.isContiguous()) {
            throw new IllegalArgumentException("syevd: " + a + " with eigenvalues into " + w);
        }
        fp64("syevd", p(a), p(w));
        return a.rows() == 0 ? 0 : be.blas().syevd(uplo, dim(a.rows()), d(a), dim(a.ld()), d(w));
    }

    void geqrf(Matrix a, Vector tau) {
        if (tau.length() != Math.min(a.rows(), a.cols()) || !tau.isContiguous()) {
            throw new IllegalArgumentException("geqrf: " + a + " with tau " + tau);
        }
        fp64("geqrf", p(a), p(tau));
        if (tau.length() > 0) {
            be.blas().geqrf(dim(a.rows()), dim(a.cols()), d(a), dim(a.ld()), d(tau));
        }
    }

    void orgqr(Matrix a, Vector tau) {
        if (tau.length() > a.cols() || a.cols() > a.rows() || !tau.isContiguous()) {
            throw new IllegalArgumentException("orgqr: " + a + " with tau " + tau);
        }
        fp64("orgqr", p(a), p(tau));
        if (a.cols() > 0) {
            be.blas().orgqr(dim(a.rows()), dim(a.cols()), dim(tau.length()), d(a), dim(a.ld()), d(tau));
        }
    }

    // ---- element-wise ----

    void transpose(Matrix a, Matrix b) {
        if (a.rows() != b.cols() || a.cols() != b.rows()) {
            throw new IllegalArgumentException("transpose: " + a + " into " + b);
        }
        be.ops().transpose(a.rows(), a.cols(), d(a), a.ld(), p(a), d(b), b.ld(), p(b));
    }

    void axpby(double alpha, Vector x, double beta, Vector y) {
        Shapes.sameLength(x, y);
        fp64("axpby", p(x), p(y));
        be.ops().axpby(x.length(), alpha, d(x), x.inc(), beta, d(y), y.inc());
    }

    void multiply(Vector x, Vector y, Vector z) {
        Shapes.sameLength(x, y);
        Shapes.sameLength(x, z);
        fp64("multiply", p(x), p(y), p(z));
        be.ops().multiply(x.length(), d(x), x.inc(), d(y), y.inc(), d(z), z.inc());
    }

    double reduce(int kind, Vector x, Vector y) {
        fp64(kind == CudaOps.MAX_ABS ? "maxAbs" : "sum", p(x));
        return be.ops().reduce(kind, new long[] {x.length()}, new MemorySegment[] {d(x)}, new long[] {x.inc()}, null, null)[0];
    }

    // ---- structural ----

    void copy(Matrix src, Matrix dst) {
        Shapes.sameShape("copy", src, dst);
        be.ops().copy2d(src.rows(), src.cols(), d(src), src.ld(), p(src), d(dst), dst.ld(), p(dst));
    }

    void triangle(Uplo uplo, Matrix src, Matrix dst) {
        Shapes.triangle(src, dst);
        fp64("triangle", p(src), p(dst));
        be.ops().triangle(uplo, src.rows(), d(src), src.ld(), d(dst), dst.ld());
    }

    void symmetrize(Uplo from, Matrix a) {
        Shapes.square("symmetrize", a);
        fp64("symmetrize", p(a));
        be.ops().symmetrize(from, a.rows(), d(a), a.ld());
    }

    void add(double c, Vector x) {
        fp64("add", p(x));
        be.ops().add(x.length(), c, d(x), x.inc());
    }

    void addSquares(double alpha, Vector x, Vector y) {
        Shapes.sameLength(x, y);
        fp64("addSquares", p(x), p(y));
        be.ops().addSquares(x.length(), alpha, d(x), x.inc(), d(y), y.inc());
    }

    IndexedValue maxIndex(Vector x) {
        if (x.length() == 0) {
            throw new IllegalArgumentException("maxIndex of an empty vector");
        }
        fp64("maxIndex", p(x));
        return be.ops().maxIndex(x.length(), d(x), x.inc());
    }

    void gatherRows(Matrix src, long[] rows, Matrix dst) {
        Shapes.gatherRows(src, rows, dst);
        fp64("gatherRows", p(src), p(dst));
        be.ops().gatherRows(rows.length, src.cols(), d(src), src.ld(), rows, d(dst), dst.ld());
    }

    void setElements(Vector x, long[] indices, int count, double value) {
        Shapes.setElements(x, indices, count);
        fp64("setElements", p(x));
        be.ops().setElements(d(x), x.inc(), indices, count, value);
    }

    void rowSquares(Matrix a, Vector weights, double beta, Vector out) {
        Shapes.rowSquares(a, weights, out);
        fp64("rowSquares", p(a), p(out), weights == null ? Precision.FP64 : p(weights));
        be.ops().rowSquares(a.rows(), a.cols(), d(a), a.ld(), weights == null ? null : d(weights), weights == null ? 0 : weights.inc(),
                beta, d(out), out.inc());
    }

    void columnDots(Matrix a, Matrix b, double beta, Vector out) {
        Shapes.columnDots(a, b, out);
        fp64("columnDots", p(a), p(b), p(out));
        be.ops().columnDots(a.rows(), a.cols(), d(a), a.ld(), d(b), b.ld(), beta, d(out), out.inc());
    }

    /** Every pair's dot product in one reduction launch sequence and one download. */
    void dots(Vector[] x, Vector[] y, double[] out) {
        Shapes.dots(x, y, out);
        if (x.length == 0) {
            return;
        }
        long[] n = new long[x.length];
        long[] incx = new long[x.length];
        long[] incy = new long[x.length];
        MemorySegment[] xs = new MemorySegment[x.length];
        MemorySegment[] ys = new MemorySegment[x.length];
        for (int i = 0; i < x.length; i++) {
            fp64("dots", p(x[i]), p(y[i]));
            n[i] = x[i].length();
            xs[i] = d(x[i]);
            ys[i] = d(y[i]);
            incx[i] = x[i].inc();
            incy[i] = y[i].inc();
        }
        double[] r = be.ops().reduce(CudaOps.DOT, n, xs, incx, ys, incy);
        System.arraycopy(r, 0, out, 0, out.length);
    }

    // ---- FP32 x FP64 ----

    MixedPrecision mixed() {
        return new MixedPrecision() {
            @Override
            public void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
                Shapes.gemv(trans, a, x, y);
                if (p(a) != Precision.FP32 || p(x) != Precision.FP64 || p(y) != Precision.FP64) {
                    throw new IllegalArgumentException("mixed gemv: A must be FP32 and x, y FP64, got " + a + ", " + x + ", " + y);
                }
                be.ops().mixedGemv(trans, a.rows(), a.cols(), alpha, d(a), a.ld(), d(x), x.inc(), beta, d(y), y.inc());
            }

            @Override
            public void projectOut(Matrix a, Vector t, Vector z, Vector w) {
                // z ← z − Aᵀt, then w ← A z: two passes over A here (one fused pass on the CPU)
                if (t != null) {
                    gemv(Trans.YES, -1.0, a, t, 1.0, z);
                }
                gemv(Trans.NO, 1.0, a, z, 0.0, w);
            }
        };
    }
}
