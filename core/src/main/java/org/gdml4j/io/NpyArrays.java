package org.gdml4j.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Factories for small {@link NpyArray}s built from Java values, mostly for writing files. They copy their input
 * into heap segments; large data should be wrapped without a copy through
 * {@link NpyArray#of(DType, boolean, MemorySegment, long...)}.
 */
public final class NpyArrays {
    private NpyArrays() {
    }

    /** Copies {@code values}; with no {@code shape} the array is 1-d (use {@code scalar} for 0-d). */
    public static NpyArray ofDoubles(double[] values, long... shape) {
        return NpyArray.of(DType.F8, false, littleEndian(values, NpyArray.F64, values.length), shapeOr(shape, values.length));
    }

    public static NpyArray ofFloats(float[] values, long... shape) {
        return NpyArray.of(DType.F4, false, littleEndian(values, NpyArray.F32, values.length), shapeOr(shape, values.length));
    }

    public static NpyArray ofLongs(long[] values, long... shape) {
        return NpyArray.of(DType.I8, false, littleEndian(values, NpyArray.I64, values.length), shapeOr(shape, values.length));
    }

    public static NpyArray ofInts(int[] values, long... shape) {
        return NpyArray.of(DType.I4, false, littleEndian(values, NpyArray.I32, values.length), shapeOr(shape, values.length));
    }

    public static NpyArray ofShorts(short[] values, long... shape) {
        return NpyArray.of(DType.I2, false, littleEndian(values, NpyArray.I16, values.length), shapeOr(shape, values.length));
    }

    /** {@code |u1}: each byte is an unsigned value 0..255. */
    public static NpyArray ofUnsignedBytes(byte[] values, long... shape) {
        return NpyArray.of(DType.U1, false, MemorySegment.ofArray(values.clone()), shapeOr(shape, values.length));
    }

    public static NpyArray ofBooleans(boolean[] values, long... shape) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) (values[i] ? 1 : 0);
        }
        return NpyArray.of(DType.B1, false, MemorySegment.ofArray(bytes), shapeOr(shape, values.length));
    }

    /** A 0-d array (numpy shape {@code ()}). */
    public static NpyArray scalar(double value) {
        return NpyArray.of(DType.F8, false, littleEndian(new double[] {value}, NpyArray.F64, 1));
    }

    public static NpyArray scalar(long value) {
        return NpyArray.of(DType.I8, false, littleEndian(new long[] {value}, NpyArray.I64, 1));
    }

    public static NpyArray scalar(boolean value) {
        return NpyArray.of(DType.B1, false, MemorySegment.ofArray(new byte[] {(byte) (value ? 1 : 0)}));
    }

    /** A 0-d {@code <U n} array, as numpy makes from a Python str (at least one character wide, like numpy). */
    public static NpyArray ofString(String value) {
        int[] cps = value.codePoints().toArray();
        int width = Math.max(1, cps.length);
        int[] padded = Arrays.copyOf(cps, width);
        return NpyArray.of(DType.unicode(width), false, littleEndian(padded, NpyArray.I32, width), new long[0]);
    }

    /** A 0-d {@code |S n} array, as numpy makes from Python bytes. */
    public static NpyArray ofBytes(byte[] value) {
        byte[] padded = Arrays.copyOf(value, Math.max(1, value.length));
        return NpyArray.of(DType.bytes(padded.length), false, MemorySegment.ofArray(padded), new long[0]);
    }

    /** A 0-d {@code |S n} array of ASCII text, e.g. an md5 hex digest. */
    public static NpyArray ofAscii(String value) {
        return ofBytes(value.getBytes(StandardCharsets.US_ASCII));
    }

    /** Copies a primitive array into little-endian bytes, whatever the platform's byte order. */
    private static MemorySegment littleEndian(Object array, ValueLayout layout, int count) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[Math.multiplyExact(count, (int) layout.byteSize())]);
        MemorySegment.copy(array, 0, bytes, layout, 0, count);
        return bytes;
    }

    private static long[] shapeOr(long[] shape, int length) {
        return shape.length == 0 ? new long[] {length} : shape;
    }
}
