package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A strided off-heap vector: element i lives at {@code segment[i * inc]}. It never owns memory: the segment
 * belongs to an {@link java.lang.foreign.Arena} (usually through a {@link Workspace}) and views share it.
 * A column of a column-major {@link Matrix} is a contiguous vector ({@code inc = 1}); a row has {@code inc = ld}.
 */
public final class Vector {
    private final MemorySegment segment;
    private final long length;
    private final long inc;
    private final Precision precision;
    private final MemorySpace space;

    Vector(MemorySegment segment, long length, long inc, Precision precision) {
        this(segment, length, inc, precision, MemorySpace.HOST);
    }

    Vector(MemorySegment segment, long length, long inc, Precision precision, MemorySpace space) {
        if (length < 0 || inc < 1) {
            throw new IllegalArgumentException("bad vector shape: length " + length + ", inc " + inc);
        }
        long needed = length == 0 ? 0 : ((length - 1) * inc + 1) * precision.bytes();
        if (needed > segment.byteSize()) {
            throw new IndexOutOfBoundsException("vector of " + length + " x inc " + inc + " needs " + needed
                    + " bytes, segment has " + segment.byteSize());
        }
        this.segment = segment;
        this.length = length;
        this.inc = inc;
        this.precision = Objects.requireNonNull(precision);
        this.space = Objects.requireNonNull(space);
    }

    /** A contiguous host vector over an existing segment (e.g. one read from a file). */
    public static Vector wrap(MemorySegment segment, Precision precision) {
        return new Vector(segment, segment.byteSize() / precision.bytes(), 1, precision);
    }

    /** A strided host vector over an existing segment: element i at {@code segment[i * inc]}. */
    public static Vector wrap(MemorySegment segment, long length, long inc, Precision precision) {
        return new Vector(segment, length, inc, precision);
    }

    public long length() {
        return length;
    }

    public long inc() {
        return inc;
    }

    public Precision precision() {
        return precision;
    }

    /** Where the memory lives; elements of non-host memory are not accessible from host code. */
    public MemorySpace space() {
        return space;
    }

    public boolean isContiguous() {
        return inc == 1 || length <= 1;
    }

    /** The backing memory, starting at element 0; host memory only (else {@link HostAccessException}). */
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

    /** Elements [from, from + len) as a view (no copy). */
    public Vector slice(long from, long len) {
        Objects.checkFromIndexSize(from, len, length);
        long offset = from * inc * precision.bytes();
        long bytes = len == 0 ? 0 : ((len - 1) * inc + 1) * precision.bytes();
        return new Vector(segment.asSlice(offset, bytes), len, inc, precision, space);
    }

    /** A contiguous vector seen as a rows x cols column-major matrix (rows·cols = length), sharing memory. */
    public Matrix asMatrix(long rows, long cols) {
        if (!isContiguous() || Math.multiplyExact(rows, cols) != length) {
            throw new IllegalArgumentException("asMatrix: " + this + " as " + rows + " x " + cols);
        }
        return new Matrix(segment, rows, cols, Math.max(1, rows), precision, space);
    }

    public double get(long i) {
        hostOnly();
        Objects.checkIndex(i, length);
        return precision == Precision.FP64 ? segment.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i * inc)
                : segment.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i * inc);
    }

    public void set(long i, double v) {
        hostOnly();
        Objects.checkIndex(i, length);
        if (precision == Precision.FP64) {
            segment.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i * inc, v);
        } else {
            segment.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i * inc, (float) v);
        }
    }

    /** Copies the elements to a new Java array (for tests, small vectors and I/O). */
    public double[] toArray() {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("vector of " + length + " elements does not fit a Java array");
        }
        double[] out = new double[(int) length];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    /** Sets all elements from a Java array of the same length. */
    public Vector fill(double[] values) {
        if (values.length != length) {
            throw new IllegalArgumentException("length " + values.length + " != " + length);
        }
        for (int i = 0; i < values.length; i++) {
            set(i, values[i]);
        }
        return this;
    }

    @Override
    public String toString() {
        return "Vector[" + length + (inc == 1 ? "" : ", inc " + inc) + ", " + precision + (space.hostAccessible() ? "" : ", " + space) + "]";
    }
}
