package org.gdml4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.SequencedMap;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes .npz archives: one {@code <key>.npy} zip entry per array, in the map's order.
 *
 * <p>Deflate is the default because sGDML saves everything with {@code np.savez_compressed}. Entries or archives
 * beyond 4 GB need zip64 records; {@link ZipOutputStream} adds them by itself when sizes or offsets overflow
 * 32 bits (and numpy's reader accepts them), so nothing here has to decide that.
 */
public final class NpzWriter {

    /** Zip entry method: deflated like {@code np.savez_compressed}, or stored like {@code np.savez}. */
    public enum Compression { DEFLATED, STORED }

    /**
     * Entry timestamps are fixed (to the zip epoch, as a local date-time, so the time zone plays no part) so that the
     * same arrays always give the same bytes.
     */
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private NpzWriter() {
    }

    /** Writes {@code entries} atomically to {@code target}, deflated; see {@link AtomicFile} for {@code inputs}. */
    public static void write(Path target, SequencedMap<String, NpyArray> entries, Path... inputs) {
        write(target, entries, Compression.DEFLATED, inputs);
    }

    public static void write(Path target, SequencedMap<String, NpyArray> entries, Compression compression, Path... inputs) {
        AtomicFile.write(target, out -> write(out, entries, compression), inputs);
    }

    /** Writes the archive to {@code out} and finishes it, without closing {@code out}. */
    public static void write(OutputStream out, SequencedMap<String, NpyArray> entries, Compression compression)
            throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (var e : entries.entrySet()) {
            ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
            entry.setTimeLocal(FIXED_TIME);
            if (compression == Compression.STORED) {
                // a stored entry's size and CRC go before its data, so they are measured in a first pass
                CRC32 crc = new CRC32();
                CountingSink sink = new CountingSink();
                NpyWriter.write(new CheckedOutputStream(sink, crc), e.getValue());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(sink.count);
                entry.setCompressedSize(sink.count);
                entry.setCrc(crc.getValue());
            } else {
                entry.setMethod(ZipEntry.DEFLATED);
            }
            zip.putNextEntry(entry);
            NpyWriter.write(zip, e.getValue());
            zip.closeEntry();
        }
        zip.finish();
    }

    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
