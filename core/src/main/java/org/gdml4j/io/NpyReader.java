package org.gdml4j.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads one .npy array from a stream, with the element bytes going straight into the caller's {@link Arena}. */
public final class NpyReader {
    /** Copy granularity from stream to segment: large enough to be fast, small enough to never matter on the heap. */
    private static final int CHUNK = 1 << 20;
    /** Object-array payloads here are small pickles; a bigger one is not an sGDML file. */
    private static final int MAX_PICKLE_BYTES = 1 << 26;

    private NpyReader() {
    }

    /**
     * Reads header and data; the stream is left after the data.
     *
     * @param where names the source in messages, e.g. {@code "model.npz: key 'R_desc'"}
     */
    public static NpyArray read(InputStream in, Arena arena, String where) throws IOException {
        NpyHeader header = NpyHeader.read(in, where);
        if (header.dtype().kind() == DType.Kind.OBJECT) {
            if (header.shape().length != 0) {
                throw SgdmlFormatException.at(where, "object array of shape " + NpyHeader.shapeString(header.shape())
                        + " is not supported (sGDML files only hold 0-d object arrays)");
            }
            byte[] pickle = in.readNBytes(MAX_PICKLE_BYTES);
            return NpyArray.fromFile(header, null, PickleReader.readObjectArrayItem(pickle, where), where);
        }
        long bytes = header.dataBytes();
        MemorySegment data = arena.allocate(bytes, 8);
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(bytes, 1))];
        long done = 0;
        while (done < bytes) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, bytes - done));
            if (n < 0) {
                throw SgdmlFormatException.at(where, "truncated array data: " + header + " needs " + bytes
                        + " bytes, found " + done);
            }
            MemorySegment.copy(buf, 0, data, ValueLayout.JAVA_BYTE, done, n);
            done += n;
        }
        return NpyArray.fromFile(header, data, null, where);
    }

    /** Reads a standalone .npy file. */
    public static NpyArray read(Path file, Arena arena) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, arena, file.toString());
        } catch (NoSuchFileException e) {
            throw new SgdmlFormatException(file + ": file not found", e);
        } catch (IOException e) {
            throw new SgdmlFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
