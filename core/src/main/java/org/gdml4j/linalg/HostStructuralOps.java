package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.linalg.Backend.IndexedValue;
import org.gdml4j.linalg.Backend.Uplo;

/**
 * The structural operations of {@link Backend} on host memory: copies of blocks and triangles, diagonal shifts,
 * squares, arg-max, row and column reductions. Sums run in a fixed order (by column, then by row within a column)
 * and every worker owns whole output elements, so results do not depend on the number of threads.
 */
final class HostStructuralOps {
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Below this many elements of work a pass runs on the calling thread. */
    private static final long PARALLEL_MIN = 1 << 16;

    private HostStructuralOps() {
    }

    private static double read(MemorySegment s, boolean fp64, long idx) {
        return fp64 ? s.getAtIndex(D8, idx) : s.getAtIndex(F4, idx);
    }

    private static void write(MemorySegment s, boolean fp64, long idx, double v) {
        if (fp64) {
            s.setAtIndex(D8, idx, v);
        } else {
            s.setAtIndex(F4, idx, (float) v);
        }
    }

    /** Columns per piece so that a piece holds at least {@link #PARALLEL_MIN} elements (all of them when confined). */
    private static long columnChunk(long rows, MemorySegment... segments) {
        return Parallel.shareable(segments) ? Math.max(1, PARALLEL_MIN / Math.max(1, rows)) : Long.MAX_VALUE;
    }

    static void copy(Matrix src, Matrix dst) {
        Shapes.sameShape("copy", src, dst);
        long rows = src.rows();
        MemorySegment a = src.segment();
        MemorySegment b = dst.segment();
        boolean same = src.precision() == dst.precision();
        boolean a64 = src.precision() == Precision.FP64;
        boolean b64 = dst.precision() == Precision.FP64;
        long bytes = src.precision().bytes();
        Parallel.forRange(src.cols(), columnChunk(rows, a, b), (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                long ia = j * src.ld();
                long ib = j * dst.ld();
                if (same) {
                    MemorySegment.copy(a, ia * bytes, b, ib * bytes, rows * bytes);
                } else {
                    for (long i = 0; i < rows; i++) {
                        write(b, b64, ib + i, read(a, a64, ia + i));
                    }
                }
            }
        });
    }

    static void triangle(Uplo uplo, Matrix src, Matrix dst) {
        long n = src.rows();
        Shapes.triangle(src, dst);
        MemorySegment a = src.segment();
        MemorySegment b = dst.segment();
        boolean a64 = src.precision() == Precision.FP64;
        boolean b64 = dst.precision() == Precision.FP64;
        boolean inPlace = a.address() == b.address() && src.ld() == dst.ld() && a64 == b64;
        Parallel.forRange(n, columnChunk(n, a, b), (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                long keep0 = uplo == Uplo.LOWER ? j : 0; // rows [keep0, keep1) of column j are kept
                long keep1 = uplo == Uplo.LOWER ? n : j + 1;
                for (long i = 0; i < n; i++) {
                    long ib = i + j * dst.ld();
                    if (i < keep0 || i >= keep1) {
                        write(b, b64, ib, 0.0);
                    } else if (!inPlace) {
                        write(b, b64, ib, read(a, a64, i + j * src.ld()));
                    }
                }
            }
        });
    }

    static void symmetrize(Uplo from, Matrix m) {
        long n = m.rows();
        Shapes.square("symmetrize", m);
        MemorySegment a = m.segment();
        boolean fp64 = m.precision() == Precision.FP64;
        long ld = m.ld();
        // each worker writes whole columns of the opposite triangle (reads the source triangle's rows)
        Parallel.forRange(n, columnChunk(n, a), (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                long i0 = from == Uplo.LOWER ? 0 : j + 1; // column j of the opposite triangle: rows [i0, i1)
                long i1 = from == Uplo.LOWER ? j : n;
                for (long i = i0; i < i1; i++) {
                    write(a, fp64, i + j * ld, read(a, fp64, j + i * ld));
                }
            }
        });
    }

    static void add(double c, Vector x) {
        MemorySegment s = x.segment();
        boolean fp64 = x.precision() == Precision.FP64;
        for (long i = 0; i < x.length(); i++) {
            long idx = i * x.inc();
            write(s, fp64, idx, read(s, fp64, idx) + c);
        }
    }

    static void addSquares(double alpha, Vector x, Vector y) {
        Shapes.sameLength(x, y);
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        boolean x64 = x.precision() == Precision.FP64;
        boolean y64 = y.precision() == Precision.FP64;
        long n = x.length();
        Parallel.forRange(n, Parallel.shareable(xs, ys) ? PARALLEL_MIN : Math.max(1, n), (lo, hi) -> {
            for (long i = lo; i < hi; i++) {
                double v = read(xs, x64, i * x.inc());
                long iy = i * y.inc();
                write(ys, y64, iy, read(ys, y64, iy) + alpha * v * v);
            }
        });
    }

    static IndexedValue maxIndex(Vector x) {
        if (x.length() == 0) {
            throw new IllegalArgumentException("maxIndex of an empty vector");
        }
        MemorySegment s = x.segment();
        boolean fp64 = x.precision() == Precision.FP64;
        long best = 0;
        double bv = read(s, fp64, 0);
        for (long i = 1; i < x.length() && !Double.isNaN(bv); i++) {
            double v = read(s, fp64, i * x.inc());
            if (v > bv || Double.isNaN(v)) {
                bv = v;
                best = i;
            }
        }
        return new IndexedValue(best, bv);
    }

    static void gatherRows(Matrix src, long[] rows, Matrix dst) {
        Shapes.gatherRows(src, rows, dst);
        MemorySegment a = src.segment();
        MemorySegment b = dst.segment();
        boolean a64 = src.precision() == Precision.FP64;
        boolean b64 = dst.precision() == Precision.FP64;
        Parallel.forRange(src.cols(), columnChunk(rows.length, a, b), (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                for (int i = 0; i < rows.length; i++) {
                    write(b, b64, i + j * dst.ld(), read(a, a64, rows[i] + j * src.ld()));
                }
            }
        });
    }

    static void setElements(Vector x, long[] indices, int count, double value) {
        for (int i = 0; i < count; i++) {
            x.set(indices[i], value);
        }
    }

    static void rowSquares(Matrix a, Vector weights, double beta, Vector out) {
        long rows = a.rows();
        Shapes.rowSquares(a, weights, out);
        MemorySegment as = a.segment();
        MemorySegment os = out.segment();
        boolean a64 = a.precision() == Precision.FP64;
        boolean o64 = out.precision() == Precision.FP64;
        double[] w = weights == null ? null : weights.toArray();
        long chunk = Parallel.shareable(as, os) ? Math.max(1024, PARALLEL_MIN / Math.max(1, a.cols())) : Math.max(1, rows);
        Parallel.forRange(rows, chunk, (lo, hi) -> {
            for (long i = lo; i < hi; i++) {
                long io = i * out.inc();
                write(os, o64, io, beta == 0 ? 0.0 : beta * read(os, o64, io));
            }
            for (long j = 0; j < a.cols(); j++) {
                double wj = w == null ? 1.0 : w[(int) j];
                long off = j * a.ld();
                for (long i = lo; i < hi; i++) {
                    double v = read(as, a64, off + i);
                    long io = i * out.inc();
                    write(os, o64, io, read(os, o64, io) + wj * v * v);
                }
            }
        });
    }

    static void columnDots(Matrix a, Matrix b, double beta, Vector out) {
        Shapes.columnDots(a, b, out);
        long rows = a.rows();
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment os = out.segment();
        boolean a64 = a.precision() == Precision.FP64;
        boolean b64 = b.precision() == Precision.FP64;
        boolean o64 = out.precision() == Precision.FP64;
        Parallel.forRange(a.cols(), columnChunk(rows, as, bs, os), (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                double s = 0;
                long ia = j * a.ld();
                long ib = j * b.ld();
                for (long i = 0; i < rows; i++) {
                    s += read(as, a64, ia + i) * read(bs, b64, ib + i);
                }
                long io = j * out.inc();
                write(os, o64, io, (beta == 0 ? 0.0 : beta * read(os, o64, io)) + s);
            }
        });
    }
}
