package org.gdml4j.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the payload of a 0-d numpy object array holding None or a dict of str to float.
 *
 * <p>Instead of numpy's own {@code _reconstruct}/{@code __setstate__} form we emit the shortest pickle that numpy
 * loads as the same array: protocol 2, {@code numpy.array(value)}. Unpickling it calls {@code np.array} on a dict
 * or None, which yields exactly a 0-d object array; this keeps the writer independent of numpy's internal module
 * names, which changed between numpy 1 and 2.
 */
final class PickleWriter {
    private PickleWriter() {
    }

    /** @param value {@code null} or a {@code Map<String, Double>} */
    static byte[] objectArrayPayload(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80); // PROTO 2
        out.write(2);
        out.write('c'); // GLOBAL numpy.array
        out.writeBytes("numpy\narray\n".getBytes(StandardCharsets.US_ASCII));
        switch (NpyArray.checkedObject(value)) {
            case null -> out.write('N');
            case Map<?, ?> map -> writeDict(out, map);
            default -> throw new IllegalStateException("unreachable");
        }
        out.write(0x85); // TUPLE1: the argument tuple
        out.write('R'); // REDUCE: numpy.array(value)
        out.write('.'); // STOP
        return out.toByteArray();
    }

    private static void writeDict(ByteArrayOutputStream out, Map<?, ?> map) {
        out.write('}'); // EMPTY_DICT
        if (map.isEmpty()) {
            return;
        }
        out.write('('); // MARK
        ByteBuffer buf = ByteBuffer.allocate(8);
        for (Map.Entry<?, ?> e : map.entrySet()) {
            byte[] key = ((String) e.getKey()).getBytes(StandardCharsets.UTF_8);
            out.write('X'); // BINUNICODE: u32 little-endian length, UTF-8
            out.write(buf.clear().order(ByteOrder.LITTLE_ENDIAN).putInt(0, key.length).array(), 0, 4);
            out.writeBytes(key);
            out.write('G'); // BINFLOAT: big-endian IEEE double
            out.write(buf.clear().order(ByteOrder.BIG_ENDIAN).putDouble(0, (Double) e.getValue()).array(), 0, 8);
        }
        out.write('u'); // SETITEMS
    }
}
