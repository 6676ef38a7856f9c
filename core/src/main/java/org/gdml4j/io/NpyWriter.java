package org.gdml4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** Writes one array in .npy format, byte-compatible with {@code numpy.save}. */
public final class NpyWriter {
    private static final int CHUNK = 1 << 20;

    private NpyWriter() {
    }

    /** Writes header and data; does not close {@code out}. */
    public static void write(OutputStream out, NpyArray array) throws IOException {
        out.write(array.header().encode());
        if (array.isObject()) {
            out.write(PickleWriter.objectArrayPayload(array.objectValue()));
            return;
        }
        MemorySegment data = array.data();
        long bytes = data.byteSize();
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(bytes, 1))];
        for (long done = 0; done < bytes; ) {
            int n = (int) Math.min(buf.length, bytes - done);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, done, buf, 0, n);
            out.write(buf, 0, n);
            done += n;
        }
    }

    /** Writes a standalone .npy file atomically (see {@link AtomicFile}). */
    public static void write(Path target, NpyArray array, Path... inputs) {
        AtomicFile.write(target, out -> write(out, array), inputs);
    }
}
