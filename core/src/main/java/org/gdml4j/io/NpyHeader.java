package org.gdml4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.gdml4j.error.InvalidInputException;

/**
 * The header of a .npy file (format versions 1.0, 2.0 and 3.0): element type, memory order and shape.
 *
 * <p>Layout (numpy's format documentation): the magic {@code \x93NUMPY}, one byte each for major and minor version,
 * the header length as little-endian u16 (1.0) or u32 (2.0, 3.0), then a Python dict literal padded with spaces and
 * a final newline so that the data starts at a multiple of 64 bytes. Version 3.0 only differs in allowing UTF-8.
 */
public record NpyHeader(DType dtype, boolean fortranOrder, long[] shape) {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** numpy leaves room for the growing axis to gain digits in place; we do the same so headers match byte for byte. */
    private static final int GROWTH_DIGITS = 21;
    /** A header beyond this is a corrupt length field, not a real header; refuse before allocating it. */
    private static final int MAX_HEADER_BYTES = 1 << 24;

    public NpyHeader {
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (1 for a 0-d array). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes of raw data that follow the header (0 for object arrays, whose payload is a pickle of unknown length). */
    public long dataBytes() {
        return dtype.kind() == DType.Kind.OBJECT ? 0 : Math.multiplyExact(elementCount(), dtype.itemSize());
    }

    /** Python's repr of the shape tuple: {@code ()}, {@code (5,)}, {@code (5, 4, 3)}. */
    static String shapeString(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** The complete header bytes, version 1.0 unless the dict is too long for a u16 length. */
    public byte[] encode() {
        StringBuilder dict = new StringBuilder()
                .append("{'descr': '").append(dtype.descr()).append("', 'fortran_order': ")
                .append(fortranOrder ? "True" : "False").append(", 'shape': ").append(shapeString(shape)).append(", }");
        if (shape.length > 0) {
            long growing = shape[fortranOrder ? shape.length - 1 : 0];
            dict.repeat(' ', Math.max(0, GROWTH_DIGITS - Long.toString(growing).length()));
        }
        int v1Prefix = MAGIC.length + 2 + 2;
        int padded = padTo(v1Prefix, dict.length());
        boolean v1 = padded - v1Prefix <= 0xFFFF;
        int prefix = v1 ? v1Prefix : MAGIC.length + 2 + 4;
        padded = padTo(prefix, dict.length());
        int headerLen = padded - prefix;
        dict.repeat(' ', headerLen - dict.length() - 1).append('\n');

        ByteArrayOutputStream out = new ByteArrayOutputStream(padded);
        out.writeBytes(MAGIC);
        out.write(v1 ? 1 : 2);
        out.write(0);
        out.write(headerLen);
        out.write(headerLen >>> 8);
        if (!v1) {
            out.write(headerLen >>> 16);
            out.write(headerLen >>> 24);
        }
        out.writeBytes(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static int padTo(int prefix, int dictLength) {
        int unpadded = prefix + dictLength + 1;
        return (unpadded + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * Reads and parses a header, leaving {@code in} at the first data byte.
     *
     * @param where names the file (and key) in error messages
     */
    public static NpyHeader read(InputStream in, String where) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length + 2);
        if (magic.length < MAGIC.length || !Arrays.equals(magic, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw SgdmlFormatException.at(where, "not a .npy array (the '\\x93NUMPY' magic is missing)");
        }
        if (magic.length < MAGIC.length + 2) {
            throw SgdmlFormatException.at(where, "truncated .npy header");
        }
        int major = magic[6] & 0xFF;
        int minor = magic[7] & 0xFF;
        int lengthBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw SgdmlFormatException.at(where, "unsupported .npy format version " + major + "." + minor);
        };
        byte[] len = in.readNBytes(lengthBytes);
        if (len.length < lengthBytes) {
            throw SgdmlFormatException.at(where, "truncated .npy header");
        }
        long headerLen = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            headerLen = (headerLen << 8) | (len[i] & 0xFF);
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw SgdmlFormatException.at(where, "corrupt .npy header (length " + headerLen + ")");
        }
        byte[] raw = in.readNBytes((int) headerLen);
        if (raw.length < headerLen) {
            throw SgdmlFormatException.at(where, "truncated .npy header");
        }
        String text = new String(raw, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        try {
            return fromDict(PyDictLiteral.parse(text));
        } catch (IllegalArgumentException e) {
            throw SgdmlFormatException.at(where, e.getMessage());
        }
    }

    private static NpyHeader fromDict(Map<String, Object> dict) {
        if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new InvalidInputException("malformed .npy header: expected keys descr, fortran_order, shape but found "
                    + dict.keySet());
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new InvalidInputException("unsupported dtype " + dict.get("descr"));
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new InvalidInputException("malformed .npy header: fortran_order is not True/False");
        }
        if (!(dict.get("shape") instanceof List<?> dims)) {
            throw new InvalidInputException("malformed .npy header: shape is not a tuple");
        }
        long[] shape = dims.stream().mapToLong(d -> (Long) d).toArray();
        NpyHeader header = new NpyHeader(DType.parse(descr), fortran, shape);
        try {
            header.dataBytes();
        } catch (ArithmeticException e) {
            throw new InvalidInputException("corrupt .npy header: shape " + shapeString(shape) + " overflows");
        }
        return header;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.dtype.equals(dtype) && h.fortranOrder == fortranOrder
                && Arrays.equals(h.shape, shape);
    }

    @Override
    public int hashCode() {
        return dtype.hashCode() * 31 + Arrays.hashCode(shape) + (fortranOrder ? 1 : 0);
    }

    @Override
    public String toString() {
        return dtype.descr() + " " + shapeString(shape) + (fortranOrder ? " fortran-order" : "");
    }
}
