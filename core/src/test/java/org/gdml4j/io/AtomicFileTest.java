package org.gdml4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.gdml4j.io.IoAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFileTest {
    @TempDir
    Path dir;

    private List<String> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailureDuringWritingLeavesNothingBehind() throws IOException {
        Path target = dir.resolve("model.npz");
        SgdmlFormatException e = assertThrows(SgdmlFormatException.class, () -> AtomicFile.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertMessage(e, "model.npz", "write failed", "disk full");
        assertEquals(List.of(), files(dir), "neither the target nor a temporary file may remain");

        assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, out -> {
            out.write(1);
            throw new IllegalStateException("bug in the caller");
        }));
        assertEquals(List.of(), files(dir));
    }

    @Test
    void aFailureKeepsTheOldFile() throws IOException {
        Path target = Files.writeString(dir.resolve("model.npz"), "old model");
        assertThrows(SgdmlFormatException.class, () -> AtomicFile.write(target, out -> {
            out.write("half a new model".getBytes());
            throw new IOException("killed");
        }));
        assertEquals("old model", Files.readString(target));
        assertEquals(List.of("model.npz"), files(dir));
        AtomicFile.write(target, out -> out.write("new model".getBytes()));
        assertEquals("new model", Files.readString(target));
        assertEquals(List.of("model.npz"), files(dir));
    }

    @Test
    void aMissingFolderIsRejectedBeforeAnyWork() {
        AtomicBoolean worked = new AtomicBoolean();
        Path target = dir.resolve("no/such/folder/model.npz");
        assertMessage(assertThrows(SgdmlFormatException.class, () -> AtomicFile.checkWritable(target)), "model.npz", "does not exist");
        assertThrows(SgdmlFormatException.class, () -> AtomicFile.write(target, out -> worked.set(true)));
        assertFalse(worked.get());
        assertMessage(assertThrows(SgdmlFormatException.class, () -> AtomicFile.checkWritable(dir)), "is a folder");
    }

    /**
     * A folder without write permission; as root (CI containers) permissions do not bite, so the test falls back
     * to /proc, which refuses new files to everyone.
     */
    @Test
    void aReadOnlyFolderIsRejectedBeforeAnyWork() throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        try {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
            Path folder = !canCreateIn(readOnly) ? readOnly : Files.isDirectory(Path.of("/proc")) && !canCreateIn(Path.of("/proc"))
                    ? Path.of("/proc") : null;
            Assumptions.assumeTrue(folder != null, "no folder here refuses writes to this user");
            AtomicBoolean worked = new AtomicBoolean();
            Path target = folder.resolve("model.npz");
            assertMessage(assertThrows(SgdmlFormatException.class, () -> AtomicFile.write(target, out -> worked.set(true))),
                    "model.npz", "cannot write into folder", "read-only");
            assertFalse(worked.get());
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean canCreateIn(Path folder) {
        try {
            Files.delete(Files.createFile(folder.resolve("gdml4j-probe-" + System.nanoTime())));
            return true;
        } catch (IOException expected) {
            return false;
        }
    }

    @Test
    void writingOntoAnInputIsRejectedBeforeAnyWork() throws IOException {
        Path input = Files.writeString(dir.resolve("task.npz"), "the task");
        Path link = Files.createSymbolicLink(dir.resolve("alias.npz"), input);
        Path relative = Path.of("").toAbsolutePath().relativize(input);
        AtomicBoolean worked = new AtomicBoolean();
        for (Path target : new Path[] {input, link, relative, dir.resolve("sub/../task.npz")}) {
            assertMessage(assertThrows(SgdmlFormatException.class, () -> AtomicFile.write(target, out -> worked.set(true), input)),
                    "refusing to overwrite the input file");
        }
        assertFalse(worked.get());
        assertEquals("the task", Files.readString(input));
        AtomicFile.checkWritable(dir.resolve("model.npz"), input, null);
    }

    @Test
    void archiveWritersUseThePreflightCheck() throws IOException {
        SequencedMap<String, NpyArray> entries = new LinkedHashMap<>();
        entries.put("x", NpyArrays.scalar(1.0));
        Path file = dir.resolve("a.npz");
        NpzWriter.write(file, entries);
        byte[] before = Files.readAllBytes(file);
        assertMessage(assertThrows(SgdmlFormatException.class, () -> NpzWriter.write(file, entries, file)),
                "a.npz", "refusing to overwrite the input");
        assertEquals(-1, java.util.Arrays.mismatch(before, Files.readAllBytes(file)));
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(file)) {
            assertEquals(1.0, npz.read("x", arena).scalarDouble());
        }
        assertTrue(files(dir).equals(List.of("a.npz")));
    }
}
