package org.gdml4j.linalg;

import org.gdml4j.linalg.Backend.Side;
import org.gdml4j.linalg.Backend.Trans;

/**
 * The operand checks of the {@link Backend} contract, shared by every backend so that all refuse the same calls with
 * the same message: a bad shape is a bug of the caller ({@link IllegalArgumentException}). Also the conversion of
 * sizes to the 32-bit (LP64) interfaces of BLAS, LAPACK, cuBLAS and cuSOLVER.
 */
final class Shapes {
    private Shapes() {
    }

    /** A dimension, leading dimension or increment for a 32-bit BLAS/LAPACK interface. */
    static int dim(long v) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dimension " + v + " exceeds the 32-bit BLAS/LAPACK interface (max "
                    + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    static int inc(Vector v) {
        return dim(v.inc());
    }

    static void sameLength(Vector x, Vector y) {
        if (x.length() != y.length()) {
            throw new IllegalArgumentException("length mismatch: " + x + " vs " + y);
        }
    }

    static void sameShape(String op, Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(op + ": " + a + " into " + b);
        }
    }

    static void gemv(Trans trans, Matrix a, Vector x, Vector y) {
        long m = trans == Trans.NO ? a.rows() : a.cols();
        long n = trans == Trans.NO ? a.cols() : a.rows();
        if (x.length() != n || y.length() != m) {
            throw new IllegalArgumentException("gemv: " + (trans == Trans.NO ? "A" : "Aᵀ") + " " + a + " times " + x + " into " + y);
        }
    }

    static void symv(Matrix a, Vector x, Vector y) {
        if (!a.isSquare() || x.length() != a.rows() || y.length() != a.rows()) {
            throw new IllegalArgumentException("symv: " + a + " times " + x + " into " + y);
        }
    }

    static void trsv(Matrix a, Vector x) {
        if (!a.isSquare() || x.length() != a.rows()) {
            throw new IllegalArgumentException("trsv: " + a + " with " + x);
        }
    }

    /** The gemm sizes {m, n, k} of op(A) op(B) into C, checked. */
    static long[] gemm(Trans transA, Trans transB, Matrix a, Matrix b, Matrix c) {
        long m = transA == Trans.NO ? a.rows() : a.cols();
        long k = transA == Trans.NO ? a.cols() : a.rows();
        long kb = transB == Trans.NO ? b.rows() : b.cols();
        long n = transB == Trans.NO ? b.cols() : b.rows();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n + ", C " + c);
        }
        return new long[] {m, n, k};
    }

    /** The order n of C in a syrk of op(A), checked. */
    static long syrk(Trans trans, Matrix a, Matrix c) {
        long n = trans == Trans.NO ? a.rows() : a.cols();
        if (!c.isSquare() || c.rows() != n) {
            throw new IllegalArgumentException("syrk: " + a + " into " + c);
        }
        return n;
    }

    static void trsm(Side side, Matrix a, Matrix b) {
        long na = side == Side.LEFT ? b.rows() : b.cols();
        if (!a.isSquare() || a.rows() != na) {
            throw new IllegalArgumentException("trsm: " + a + " with " + b);
        }
    }

    static void triangle(Matrix src, Matrix dst) {
        if (!src.isSquare() || dst.rows() != src.rows() || !dst.isSquare()) {
            throw new IllegalArgumentException("triangle: " + src + " into " + dst);
        }
    }

    static void square(String op, Matrix m) {
        if (!m.isSquare()) {
            throw new IllegalArgumentException(op + ": " + m + " is not square");
        }
    }

    static void gatherRows(Matrix src, long[] rows, Matrix dst) {
        if (rows.length != dst.rows() || src.cols() != dst.cols()) {
            throw new IllegalArgumentException("gatherRows: " + rows.length + " rows of " + src + " into " + dst);
        }
        for (long r : rows) {
            java.util.Objects.checkIndex(r, src.rows());
        }
    }

    static void setElements(Vector x, long[] indices, int count) {
        java.util.Objects.checkFromIndexSize(0, count, indices.length);
        for (int i = 0; i < count; i++) {
            java.util.Objects.checkIndex(indices[i], x.length());
        }
    }

    static void rowSquares(Matrix a, Vector weights, Vector out) {
        if (out.length() != a.rows() || (weights != null && weights.length() != a.cols())) {
            throw new IllegalArgumentException("rowSquares: " + a + " with weights " + weights + " into " + out);
        }
    }

    static void columnDots(Matrix a, Matrix b, Vector out) {
        if (a.rows() != b.rows() || a.cols() != b.cols() || out.length() != a.cols()) {
            throw new IllegalArgumentException("columnDots: " + a + " and " + b + " into " + out);
        }
    }

    static void dots(Vector[] x, Vector[] y, double[] out) {
        if (x.length != y.length || out.length != x.length) {
            throw new IllegalArgumentException("dots: " + x.length + " and " + y.length + " vectors into " + out.length + " results");
        }
        for (int i = 0; i < x.length; i++) {
            sameLength(x[i], y[i]);
        }
    }
}
