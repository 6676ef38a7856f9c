package org.gdml4j.io;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one .npy array from a stream, with the element bytes going straight into the caller's {@link Arena}.
 *
 * <p>The header's shape is never believed on its own: a few flipped digits would otherwise make us allocate
 * terabytes. Where the size of the .npy is known (a zip entry, a file) the declared data size must match it before
 * anything is allocated; where it is not, memory is only taken as the bytes actually arrive.
 */
public final class NpyReader {
    /** The {@code npyBytes} of a source whose length is not known, such as a plain stream. */
    public static final long UNKNOWN_SIZE = -1;
    /** Copy granularity from stream to segment: large enough to be fast, small enough to never matter on the heap. */
    private static final int CHUNK = 1 << 20;
    /** Object-array payloads here are small pickles; a bigger one is not an sGDML file. */
    private static final int MAX_PICKLE_BYTES = 1 << 26;
    /** With no known size to check the header against, at most this much is allocated ahead of the bytes read. */
    static final long UNCHECKED_ALLOCATION = 64L << 20;

    private NpyReader() {
    }

    /**
     * Reads header and data from a stream of unknown length; the stream is left after the data.
     *
     * @param where names the source in messages, e.g. {@code "model.npz: key 'R_desc'"}
     */
    public static NpyArray read(InputStream in, Arena arena, String where) throws IOException {
        return read(in, UNKNOWN_SIZE, arena, where);
    }

    /**
     * Reads header and data; the stream is left after the data.
     *
     * @param npyBytes the size of the whole .npy, header included (a zip entry's uncompressed size, a file's size),
     *                 or {@link #UNKNOWN_SIZE}; when known, the header's shape must account for exactly these bytes
     * @param where    names the source in messages, e.g. {@code "model.npz: key 'R_desc'"}
     */
    public static NpyArray read(InputStream in, long npyBytes, Arena arena, String where) throws IOException {
        return read(in, npyBytes, arena, where, UNCHECKED_ALLOCATION);
    }

    /** As {@link #read(InputStream, long, Arena, String)}, with the unchecked allocation step as a parameter for tests. */
    static NpyArray read(InputStream in, long npyBytes, Arena arena, String where, long uncheckedAllocation) throws IOException {
        HeaderCounter counter = new HeaderCounter(in);
        NpyHeader header = NpyHeader.read(counter, where);
        long found = npyBytes < 0 ? UNKNOWN_SIZE : npyBytes - counter.count;
        if (header.dtype().kind() == DType.Kind.OBJECT) {
            if (header.shape().length != 0) {
                throw SgdmlFormatException.at(where, "object array of shape " + NpyHeader.shapeString(header.shape())
                        + " is not supported (sGDML files only hold 0-d object arrays)");
            }
            if (found > MAX_PICKLE_BYTES) {
                throw SgdmlFormatException.at(where, "pickled object of " + bytesText(found)
                        + " is too large (sGDML files only pickle small dicts)");
            }
            byte[] pickle = in.readNBytes(MAX_PICKLE_BYTES);
            return NpyArray.fromFile(header, null, PickleReader.readObjectArrayItem(pickle, where), where);
        }
        long bytes = header.dataBytes();
        if (found >= 0 && found != bytes) {
            throw SgdmlFormatException.at(where, sizeMismatch(header, bytes, found));
        }
        MemorySegment data = found >= 0 || bytes <= uncheckedAllocation
                ? fill(in, arena.allocate(bytes, 8), 0, bytes, header, where)
                : readAsItArrives(in, bytes, arena, header, where, uncheckedAllocation);
        return NpyArray.fromFile(header, data, null, where);
    }

    /**
     * A stream that has not told us its length may still be short: take memory one step at a time (in a scratch
     * arena, freed at the end), so a header that lies costs at most one step before the stream runs dry.
     */
    private static MemorySegment readAsItArrives(InputStream in, long bytes, Arena arena, NpyHeader header, String where,
                                                 long step) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            List<MemorySegment> parts = new ArrayList<>();
            for (long done = 0; done < bytes; ) {
                long n = Math.min(step, bytes - done);
                parts.add(fill(in, scratch.allocate(n, 8), done, bytes, header, where));
                done += n;
            }
            MemorySegment data = arena.allocate(bytes, 8);
            long offset = 0;
            for (MemorySegment part : parts) {
                MemorySegment.copy(part, 0, data, offset, part.byteSize());
                offset += part.byteSize();
            }
            return data;
        }
    }

    /** Fills all of {@code target} from {@code in}; {@code before} bytes of the array's {@code total} came earlier. */
    private static MemorySegment fill(InputStream in, MemorySegment target, long before, long total, NpyHeader header,
                                      String where) throws IOException {
        long size = target.byteSize();
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(size, 1))];
        long done = 0;
        while (done < size) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, size - done));
            if (n < 0) {
                throw SgdmlFormatException.at(where, "truncated array data: " + header + " needs " + total
                        + " bytes, found " + (before + done));
            }
            MemorySegment.copy(buf, 0, target, ValueLayout.JAVA_BYTE, done, n);
            done += n;
        }
        return target;
    }

    /** e.g. "truncated array data: the header declares shape (100000000000, 9, 3) of <f8 = 21.6 TB, found 135 KB". */
    private static String sizeMismatch(NpyHeader header, long declared, long found) {
        String d = bytesText(declared);
        String f = bytesText(found);
        if (d.equals(f)) {
            // rounding hid the difference: the exact counts are what tells the two apart
            d = String.format(Locale.ROOT, "%,d bytes", declared);
            f = String.format(Locale.ROOT, "%,d bytes", found);
        }
        return (found < declared ? "truncated array data" : "array data size mismatch") + ": the header declares shape "
                + NpyHeader.shapeString(header.shape()) + " of " + header.dtype().descr() + " = " + d + ", found " + f;
    }

    /** A byte count for people: "800 bytes", "135 KB", "2.16 GB", "21.6 TB" (decimal units, three digits). */
    static String bytesText(long n) {
        if (n < 1000) {
            return n + " bytes";
        }
        String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
        double v = n;
        int unit = -1;
        while (v >= 999.5 && unit < units.length - 1) {
            v /= 1000;
            unit++;
        }
        String digits = v < 9.995 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f";
        return String.format(Locale.ROOT, digits + " %s", v, units[unit]);
    }

    /** Reads a standalone .npy file, whose size bounds what its header may declare. */
    public static NpyArray read(Path file, Arena arena) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, Files.size(file), arena, file.toString());
        } catch (NoSuchFileException e) {
            throw new SgdmlFormatException(file + ": file not found", e);
        } catch (IOException e) {
            throw new SgdmlFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Counts the bytes the header takes, so that the rest of a known size is what the data must fill. */
    private static final class HeaderCounter extends FilterInputStream {
        long count;

        HeaderCounter(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(n, 0);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
