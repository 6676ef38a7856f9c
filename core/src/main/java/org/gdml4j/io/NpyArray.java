package org.gdml4j.io;

import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An n-dimensional numpy array: dtype, shape, memory order and the raw little-endian bytes in a
 * {@link MemorySegment}, exactly as they sit in the .npy file.
 *
 * <p>Data read from files lives in the caller's {@link java.lang.foreign.Arena}, so arrays of any size (element counts are
 * {@code long}) stay off the Java heap; the {@code to...Array()} accessors are conveniences for small arrays.
 * A 0-d object array ({@code |O}) carries no bytes but one Java value instead: {@code null} for Python's
 * {@code None}, or an unmodifiable {@code Map<String, Double>}; that is all sGDML stores in object arrays.
 *
 * <p>Accessors that find the wrong kind of array throw {@link SgdmlFormatException} naming the array's origin
 * (file and key when it was read from a file), since such mismatches almost always come from a user's file.
 */
public final class NpyArray {
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Java arrays cannot be longer than this; bigger arrays must be used through {@link #data()}. */
    private static final long MAX_JAVA_ARRAY = Integer.MAX_VALUE - 8;

    private final DType dtype;
    private final long[] shape;
    private final boolean fortranOrder;
    private final MemorySegment data;
    private final Object object;
    private final String origin;
    private final long size;

    private NpyArray(DType dtype, long[] shape, boolean fortranOrder, MemorySegment data, Object object, String origin) {
        this.dtype = dtype;
        this.shape = shape;
        this.fortranOrder = fortranOrder;
        this.data = data;
        this.object = object;
        this.origin = origin;
        this.size = new NpyHeader(dtype, fortranOrder, shape).elementCount();
    }

    /**
     * Wraps raw little-endian element bytes (no copy).
     *
     * @param fortranOrder whether {@code data} is column-major; numpy writes it like that for F-contiguous arrays
     */
    public static NpyArray of(DType dtype, boolean fortranOrder, MemorySegment data, long... shape) {
        if (dtype.kind() == DType.Kind.OBJECT) {
            throw new IllegalArgumentException("object arrays are made with ofObject()");
        }
        long expected = new NpyHeader(dtype, fortranOrder, shape).dataBytes();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("shape " + NpyHeader.shapeString(shape) + " of " + dtype + " needs "
                    + expected + " bytes, the segment has " + data.byteSize());
        }
        return new NpyArray(dtype, shape.clone(), fortranOrder, data, null, "array");
    }

    /** A 0-d object array holding {@code null} (Python {@code None}) or a {@code Map<String, Double>}. */
    public static NpyArray ofObject(Object value) {
        return new NpyArray(DType.OBJECT, new long[0], false, null, checkedObject(value), "array");
    }

    static Object checkedObject(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Double> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                if (!(k instanceof String key) || !(v instanceof Double d)) {
                    throw new IllegalArgumentException("object arrays hold only None or a dict of str to float");
                }
                copy.put(key, d);
            });
            return Collections.unmodifiableMap(copy);
        }
        throw new IllegalArgumentException("object arrays hold only None or a dict of str to float, not "
                + value.getClass().getSimpleName());
    }

    /** The same array, with {@code origin} (e.g. {@code "model.npz: key 'c'"}) used in error messages. */
    NpyArray withOrigin(String newOrigin) {
        return new NpyArray(dtype, shape, fortranOrder, data, object, newOrigin);
    }

    static NpyArray fromFile(NpyHeader header, MemorySegment data, Object object, String origin) {
        return new NpyArray(header.dtype(), header.shape(), header.fortranOrder(), data, object, origin);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    /** Number of elements; 1 for a 0-d array. */
    public long size() {
        return size;
    }

    public boolean fortranOrder() {
        return fortranOrder;
    }

    /** Where this array came from, for messages: {@code "file: key 'x'"}, or {@code "array"}. */
    public String origin() {
        return origin;
    }

    public NpyHeader header() {
        return new NpyHeader(dtype, fortranOrder, shape);
    }

    public boolean isObject() {
        return dtype.kind() == DType.Kind.OBJECT;
    }

    /** The raw element bytes in storage order (see {@link #fortranOrder()}). */
    public MemorySegment data() {
        if (isObject()) {
            throw fail("is an object array and has no raw data");
        }
        return data;
    }

    /** The Python value of a 0-d object array: {@code null} or an unmodifiable {@code Map<String, Double>}. */
    public Object objectValue() {
        if (!isObject()) {
            throw fail("expected a pickled object (dtype '|O'), found " + describe());
        }
        return object;
    }

    /** e.g. {@code "<f8 (30, 9, 3)"}. */
    public String describe() {
        return dtype.descr() + " " + NpyHeader.shapeString(shape) + (fortranOrder && shape.length > 1 ? " fortran-order" : "");
    }

    @Override
    public String toString() {
        return "NpyArray[" + origin + ": " + describe() + "]";
    }

    /** Element {@code i} in storage order, converted to double (booleans as 0/1). */
    public double getDouble(long i) {
        return switch (dtype.kind()) {
            case FLOAT -> dtype.itemSize() == 8 ? data.getAtIndex(F64, i) : data.getAtIndex(F32, i);
            case UINT -> dtype.itemSize() == 8 ? unsignedToDouble(data.getAtIndex(I64, i)) : getLong(i);
            case INT, BOOL -> getLong(i);
            default -> throw fail("expected numbers, found " + describe());
        };
    }

    /** Element {@code i} in storage order as a long; integer and boolean dtypes only. */
    public long getLong(long i) {
        return switch (dtype.kind()) {
            case INT -> switch (dtype.itemSize()) {
                case 8 -> data.getAtIndex(I64, i);
                case 4 -> data.getAtIndex(I32, i);
                case 2 -> data.getAtIndex(I16, i);
                default -> data.get(ValueLayout.JAVA_BYTE, i);
            };
            case UINT -> switch (dtype.itemSize()) {
                case 8 -> {
                    long v = data.getAtIndex(I64, i);
                    if (v < 0) {
                        throw fail("value " + Long.toUnsignedString(v) + " does not fit a signed 64-bit integer");
                    }
                    yield v;
                }
                case 4 -> Integer.toUnsignedLong(data.getAtIndex(I32, i));
                case 2 -> Short.toUnsignedLong(data.getAtIndex(I16, i));
                default -> Byte.toUnsignedLong(data.get(ValueLayout.JAVA_BYTE, i));
            };
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
            default -> throw fail("expected integers, found " + describe());
        };
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    /** Storage position of the element at row-major (C-order) position {@code cIndex}. */
    public long storageIndex(long cIndex) {
        if (!fortranOrder || shape.length < 2) {
            return cIndex;
        }
        // peel C-order digits off from the last axis; the Fortran stride of axis k is the product of shape[0..k-1]
        long rest = cIndex;
        long index = 0;
        long fortranStride = size;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            fortranStride /= shape[axis];
            index += (rest % shape[axis]) * fortranStride;
            rest /= shape[axis];
        }
        return index;
    }

    /** All elements in C order as doubles (any numeric dtype). */
    public double[] toDoubleArray() {
        int n = javaLength();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = getDouble(storageIndex(i));
        }
        return out;
    }

    /** All elements in C order as longs (any integer or boolean dtype). */
    public long[] toLongArray() {
        int n = javaLength();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = getLong(storageIndex(i));
        }
        return out;
    }

    /** All elements in C order as ints (any integer dtype; values must fit). */
    public int[] toIntArray() {
        long[] longs = toLongArray();
        int[] out = new int[longs.length];
        for (int i = 0; i < longs.length; i++) {
            if (longs[i] != (int) longs[i]) {
                throw fail("value " + longs[i] + " at index " + i + " is out of the int range");
            }
            out[i] = (int) longs[i];
        }
        return out;
    }

    private int javaLength() {
        long n = size();
        if (n > MAX_JAVA_ARRAY) {
            throw fail("has " + n + " elements, too many for a Java array; use data()");
        }
        return (int) n;
    }

    private void requireSingle(String what) {
        if (isObject() || size() != 1) {
            throw fail("expected a single " + what + ", found " + describe());
        }
    }

    public double scalarDouble() {
        requireSingle("number");
        return getDouble(0);
    }

    public long scalarLong() {
        requireSingle("integer");
        return getLong(0);
    }

    /** A single boolean; integer 0/1 is accepted too, since hand-made files sometimes store flags that way. */
    public boolean scalarBoolean() {
        requireSingle("boolean");
        if (dtype.kind() == DType.Kind.FLOAT) {
            throw fail("expected a boolean, found " + describe());
        }
        return getLong(0) != 0;
    }

    /** The text of a single {@code <U} or {@code |S} element (bytes decoded as Latin-1, which is lossless). */
    public String string() {
        if (!dtype.isString()) {
            throw fail("expected a string, found " + describe());
        }
        requireSingle("string");
        return stringAt(0);
    }

    /** String element {@code i} in storage order; numpy drops trailing NUL padding, and so do we. */
    public String stringAt(long i) {
        if (dtype.kind() == DType.Kind.BYTES) {
            return new String(bytesAt(i), StandardCharsets.ISO_8859_1);
        }
        if (dtype.kind() != DType.Kind.UNICODE) {
            throw fail("expected a string, found " + describe());
        }
        int chars = dtype.itemSize() / 4;
        long base = i * dtype.itemSize();
        int end = chars;
        while (end > 0 && data.get(I32, base + 4L * (end - 1)) == 0) {
            end--;
        }
        StringBuilder sb = new StringBuilder(end);
        for (int c = 0; c < end; c++) {
            int cp = data.get(I32, base + 4L * c);
            if (!Character.isValidCodePoint(cp)) {
                throw fail("invalid UTF-32 character 0x" + Integer.toHexString(cp));
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** The bytes of a single {@code |S} element, without trailing NULs. */
    public byte[] bytesValue() {
        if (dtype.kind() != DType.Kind.BYTES) {
            throw fail("expected bytes (dtype '|S'), found " + describe());
        }
        requireSingle("byte string");
        return bytesAt(0);
    }

    private byte[] bytesAt(long i) {
        long base = i * dtype.itemSize();
        int end = dtype.itemSize();
        while (end > 0 && data.get(ValueLayout.JAVA_BYTE, base + end - 1) == 0) {
            end--;
        }
        return data.asSlice(base, end).toArray(ValueLayout.JAVA_BYTE);
    }

    /** numpy's {@code a.T}: the axes reversed, over the same bytes (a C-order array becomes Fortran-order and back). */
    public NpyArray transpose() {
        if (isObject()) {
            return this;
        }
        long[] reversed = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            reversed[i] = shape[shape.length - 1 - i];
        }
        return new NpyArray(dtype, reversed, !fortranOrder, data, null, origin);
    }

    /** The same bytes under a new shape with the same element count; only for C-order (or 0-d/1-d) arrays. */
    public NpyArray reshape(long... newShape) {
        if (fortranOrder && shape.length > 1) {
            throw new IllegalStateException("reshape of a Fortran-order array; call toCOrder() first");
        }
        if (new NpyHeader(dtype, false, newShape).elementCount() != size()) {
            throw fail("cannot reshape " + describe() + " to " + NpyHeader.shapeString(newShape));
        }
        return new NpyArray(dtype, newShape.clone(), false, data, object, origin);
    }

    /** This array if it is already in C order, else a C-order copy allocated from {@code arena}. */
    public NpyArray toCOrder(SegmentAllocator arena) {
        if (!fortranOrder || shape.length < 2 || isObject()) {
            return fortranOrder ? new NpyArray(dtype, shape, false, data, object, origin) : this;
        }
        long item = dtype.itemSize();
        MemorySegment copy = arena.allocate(data.byteSize(), 8);
        long n = size();
        for (long c = 0; c < n; c++) {
            long s = storageIndex(c);
            if (item == 8) {
                copy.setAtIndex(I64, c, data.getAtIndex(I64, s));
            } else {
                MemorySegment.copy(data, s * item, copy, c * item, item);
            }
        }
        return new NpyArray(dtype, shape, false, copy, null, origin);
    }

    /**
     * This array if it is already C-order {@code <f8}, else a C-order {@code <f8} copy from {@code arena}; numeric
     * dtypes only. Lets the numerical code assume one layout while files may hold float32 or Fortran order.
     */
    public NpyArray asDoubles(SegmentAllocator arena) {
        if (dtype.equals(DType.F8)) {
            return toCOrder(arena);
        }
        if (!dtype.isNumeric()) {
            throw fail("expected numbers, found " + describe());
        }
        long n = size();
        MemorySegment copy = arena.allocate(Math.multiplyExact(n, 8L), 8);
        for (long c = 0; c < n; c++) {
            copy.setAtIndex(F64, c, getDouble(storageIndex(c)));
        }
        return new NpyArray(DType.F8, shape, false, copy, null, origin);
    }

    private SgdmlFormatException fail(String problem) {
        return SgdmlFormatException.at(origin, problem);
    }
}
