package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A column-major dense matrix view over off-heap memory: element (i, j) lives at {@code segment[i + j * ld]}.
 * It never owns memory (the segment belongs to an {@link java.lang.foreign.Arena}); sub-blocks, columns and
 * rows are views that share it, so kernel columns can be written straight into a factor's storage.
 * Sizes are {@code long}: a 63,000 x 63,000 matrix (31.8 GB) is describable; BLAS calls check that each
 * dimension fits the 32-bit integers of the LP64 interface.
 */
public final class Matrix {
    private final MemorySegment segment;
    private final long rows;
    private final long cols;
    private final long ld;
    private final Precision precision;
    private final MemorySpace space;

    Matrix(MemorySegment segment, long rows, long cols, long ld, Precision precision) {
        this(segment, rows, cols, ld, precision, MemorySpace.HOST);
    }

    Matrix(MemorySegment segment, long rows, long cols, long ld, Precision precision, MemorySpace space) {
        if (rows < 0 || cols < 0 || ld < Math.max(1, rows)) {
            throw new IllegalArgumentException("bad matrix shape " + rows + " x " + cols + " with ld " + ld);
        }
        long needed = (rows == 0 || cols == 0) ? 0 : Math.addExact(Math.multiplyExact(cols - 1, ld), rows) * precision.bytes();
        if (needed > segment.byteSize()) {
            throw new IndexOutOfBoundsException(rows + " x " + cols + " (ld " + ld + ") needs " + needed + " bytes, segment has "
                    + segment.byteSize());
        }
        this.segment = segment;
        this.rows = rows;
        this.cols = cols;
        this.ld = ld;
        this.precision = Objects.requireNonNull(precision);
        this.space = Objects.requireNonNull(space);
    }

    /** A host view of an existing segment as a rows x cols column-major matrix with leading dimension {@code ld}. */
    public static Matrix wrap(MemorySegment segment, long rows, long cols, long ld, Precision precision) {
        return new Matrix(segment, rows, cols, ld, precision);
    }

    public long rows() {
        return rows;
    }

    public long cols() {
        return cols;
    }

    /** Leading dimension: distance in elements between the starts of consecutive columns. */
    public long ld() {
        return ld;
    }

    public Precision precision() {
        return precision;
    }

    /** Where the memory lives; elements of non-host memory are not accessible from host code. */
    public MemorySpace space() {
        return space;
    }

    public boolean isSquare() {
        return rows == cols;
    }

    /** The backing memory, starting at element (0, 0); host memory only (else {@link HostAccessException}). */
    public MemorySegment segment() {
        hostOnly();
        return segment;
    }

    MemorySegment rawSegment() {
        return segment;
    }

    private void hostOnly() {
        if (!space.hostAccessible()) {
            throw new HostAccessException(this, space);
        }
    }

    /** Bytes this view spans in memory (including the gaps of a leading dimension larger than rows). */
    public long spanBytes() {
        return (rows == 0 || cols == 0) ? 0 : ((cols - 1) * ld + rows) * precision.bytes();
    }

    /** The sub-block rows [r0, r0 + nr) x columns [c0, c0 + nc), sharing memory. */
    public Matrix block(long r0, long c0, long nr, long nc) {
        Objects.checkFromIndexSize(r0, nr, rows);
        Objects.checkFromIndexSize(c0, nc, cols);
        long offset = (r0 + c0 * ld) * precision.bytes();
        long bytes = (nr == 0 || nc == 0) ? 0 : ((nc - 1) * ld + nr) * precision.bytes();
        return new Matrix(segment.asSlice(offset, bytes), nr, nc, ld, precision, space);
    }

    /** Columns [c0, c0 + nc), sharing memory. */
    public Matrix columns(long c0, long nc) {
        return block(0, c0, rows, nc);
    }

    /** Column j as a contiguous vector view. */
    public Vector column(long j) {
        Objects.checkIndex(j, cols);
        return new Vector(segment.asSlice(j * ld * precision.bytes(), rows * precision.bytes()), rows, 1, precision, space);
    }

    /** Row i as a strided vector view (inc = ld). */
    public Vector row(long i) {
        Objects.checkIndex(i, rows);
        long bytes = cols == 0 ? 0 : ((cols - 1) * ld + 1) * precision.bytes();
        return new Vector(segment.asSlice(i * precision.bytes(), bytes), cols, ld, precision, space);
    }

    /** The diagonal of a square (or the leading square part of a) matrix, as a strided view (inc = ld + 1). */
    public Vector diagonal() {
        long m = Math.min(rows, cols);
        long bytes = m == 0 ? 0 : ((m - 1) * (ld + 1) + 1) * precision.bytes();
        return new Vector(segment.asSlice(0, bytes), m, ld + 1, precision, space);
    }

    /** The whole matrix as one vector; only for contiguous storage (ld == rows). */
    public Vector asVector() {
        if (ld != rows && cols > 1) {
            throw new IllegalStateException("matrix with ld " + ld + " > rows " + rows + " is not contiguous");
        }
        return new Vector(segment.asSlice(0, rows * cols * precision.bytes()), rows * cols, 1, precision, space);
    }

    public double get(long i, long j) {
        hostOnly();
        Objects.checkIndex(i, rows);
        Objects.checkIndex(j, cols);
        long idx = i + j * ld;
        return precision == Precision.FP64 ? segment.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, idx)
                : segment.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, idx);
    }

    public void set(long i, long j, double v) {
        hostOnly();
        Objects.checkIndex(i, rows);
        Objects.checkIndex(j, cols);
        long idx = i + j * ld;
        if (precision == Precision.FP64) {
            segment.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, idx, v);
        } else {
            segment.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, idx, (float) v);
        }
    }

    /** Copies to a Java array in row-major order {@code [i][j]} (tests and small matrices). */
    public double[][] toArray() {
        double[][] out = new double[Math.toIntExact(rows)][Math.toIntExact(cols)];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                out[i][j] = get(i, j);
            }
        }
        return out;
    }

    /** Sets all elements from a row-major Java array of the same shape. */
    public Matrix fill(double[][] values) {
        if (values.length != rows) {
            throw new IllegalArgumentException(values.length + " rows != " + rows);
        }
        for (int i = 0; i < rows; i++) {
            if (values[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + values[i].length + " columns, expected " + cols);
            }
            for (int j = 0; j < cols; j++) {
                set(i, j, values[i][j]);
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return "Matrix[" + rows + " x " + cols + (ld == rows ? "" : ", ld " + ld) + ", " + precision
                + (space.hostAccessible() ? "" : ", " + space) + "]";
    }
}
