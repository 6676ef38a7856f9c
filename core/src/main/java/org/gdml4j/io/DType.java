package org.gdml4j.io;

import org.gdml4j.error.InvalidInputException;

/**
 * The element type of an {@link NpyArray}: the subset of numpy dtypes that sGDML files use.
 *
 * <p>All multi-byte types are little-endian, which is what numpy writes on every platform sGDML runs on.
 * Big-endian files are rejected with a hint rather than silently byte-swapped, because they only arise from
 * hand-made conversions and a clear message is cheaper than another code path to test.
 *
 * @param kind     the category
 * @param itemSize bytes per element (for {@link Kind#UNICODE} four per character, as numpy stores UTF-32)
 */
public record DType(Kind kind, int itemSize) {

    /** numpy's type categories that this package understands. */
    public enum Kind { FLOAT, INT, UINT, BOOL, UNICODE, BYTES, OBJECT }

    public static final DType F8 = new DType(Kind.FLOAT, 8);
    public static final DType F4 = new DType(Kind.FLOAT, 4);
    public static final DType I8 = new DType(Kind.INT, 8);
    public static final DType I4 = new DType(Kind.INT, 4);
    public static final DType I2 = new DType(Kind.INT, 2);
    public static final DType I1 = new DType(Kind.INT, 1);
    public static final DType U8 = new DType(Kind.UINT, 8);
    public static final DType U4 = new DType(Kind.UINT, 4);
    public static final DType U2 = new DType(Kind.UINT, 2);
    public static final DType U1 = new DType(Kind.UINT, 1);
    public static final DType B1 = new DType(Kind.BOOL, 1);
    /** A pickled Python object per element; numpy's descr is {@code '|O'} and the item size is a pointer. */
    public static final DType OBJECT = new DType(Kind.OBJECT, 8);

    public DType {
        if (kind == null || itemSize < 0) {
            throw new IllegalArgumentException("bad dtype " + kind + "/" + itemSize);
        }
        boolean ok = switch (kind) {
            case FLOAT -> itemSize == 4 || itemSize == 8;
            case INT, UINT -> itemSize == 1 || itemSize == 2 || itemSize == 4 || itemSize == 8;
            case BOOL -> itemSize == 1;
            case UNICODE -> itemSize % 4 == 0;
            case BYTES -> true;
            case OBJECT -> itemSize == 8;
        };
        if (!ok) {
            throw new IllegalArgumentException("bad item size " + itemSize + " for " + kind);
        }
    }

    /** numpy's {@code <U n}: fixed-width strings of {@code chars} UTF-32 code points. */
    public static DType unicode(int chars) {
        return new DType(Kind.UNICODE, Math.multiplyExact(chars, 4));
    }

    /** numpy's {@code |S n}: fixed-width byte strings. */
    public static DType bytes(int length) {
        return new DType(Kind.BYTES, length);
    }

    public boolean isNumeric() {
        return kind == Kind.FLOAT || kind == Kind.INT || kind == Kind.UINT || kind == Kind.BOOL;
    }

    public boolean isInteger() {
        return kind == Kind.INT || kind == Kind.UINT;
    }

    public boolean isString() {
        return kind == Kind.UNICODE || kind == Kind.BYTES;
    }

    /** The dtype string numpy writes in a .npy header, e.g. {@code <f8}, {@code |b1}, {@code <U5}, {@code |S32}. */
    public String descr() {
        return switch (kind) {
            case FLOAT -> "<f" + itemSize;
            case INT -> (itemSize == 1 ? "|i" : "<i") + itemSize;
            case UINT -> (itemSize == 1 ? "|u" : "<u") + itemSize;
            case BOOL -> "|b1";
            case UNICODE -> "<U" + itemSize / 4;
            case BYTES -> "|S" + itemSize;
            case OBJECT -> "|O";
        };
    }

    @Override
    public String toString() {
        return descr();
    }

    /**
     * Parses a .npy {@code descr} string.
     *
     * @throws InvalidInputException with a user-facing problem text (the caller adds file and key)
     */
    public static DType parse(String descr) {
        if (descr.length() < 2) {
            throw unsupported(descr);
        }
        char order = descr.charAt(0);
        char code = descr.charAt(1);
        String digits = descr.substring(2);
        if ("<>|=".indexOf(order) < 0) {
            // numpy always writes a byte-order mark; a bare 'f8' is not something it produces
            throw unsupported(descr);
        }
        if (code == 'O' && (digits.isEmpty() || digits.equals("8"))) {
            return OBJECT;
        }
        int size;
        try {
            size = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw unsupported(descr);
        }
        Kind kind = switch (code) {
            case 'f' -> Kind.FLOAT;
            case 'i' -> Kind.INT;
            case 'u' -> Kind.UINT;
            case 'b' -> Kind.BOOL;
            case 'U' -> Kind.UNICODE;
            case 'S' -> Kind.BYTES;
            default -> throw unsupported(descr);
        };
        if (kind == Kind.UNICODE) {
            if (size > Integer.MAX_VALUE / 4) { // a header's nonsense, not a bug: no ArithmeticException
                throw unsupported(descr);
            }
            size *= 4;
        }
        boolean multiByte = kind == Kind.UNICODE ? size > 0 : kind != Kind.BYTES && size > 1;
        if (order == '>' && multiByte) {
            throw new InvalidInputException("big-endian dtype '" + descr + "' is not supported"
                    + " (convert it with numpy first, e.g. a.astype('<" + descr.substring(1) + "'))");
        }
        try {
            return new DType(kind, size);
        } catch (IllegalArgumentException e) {
            throw unsupported(descr);
        }
    }

    private static InvalidInputException unsupported(String descr) {
        return new InvalidInputException("unsupported dtype '" + descr + "'");
    }
}
