package org.gdml4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.gdml4j.testsupport.Fifos;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.gdml4j.io.IoAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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

    /** A pid no process has: Linux pids stop at 2^22 and macOS's at 99999. */
    private static final long DEAD_PID = Integer.MAX_VALUE;

    @Test
    void aLinkChainIsWrittenThroughToItsTargetAndKept() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path links = Files.createDirectory(dir.resolve("links"));
        Path target = real.resolve("model.npz");
        Path hop = Files.createSymbolicLink(links.resolve("hop.npz"), Path.of("../real/model.npz")); // relative: to its folder
        Path link = Files.createSymbolicLink(links.resolve("model.npz"), hop);
        AtomicFile.write(link, out -> out.write("first".getBytes())); // dangling so far: the target is created
        AtomicFile.write(link, out -> out.write("second".getBytes())); // and now replaced
        assertTrue(Files.isSymbolicLink(link) && Files.isSymbolicLink(hop), "the links stay links");
        assertEquals(hop, Files.readSymbolicLink(link));
        assertEquals("second", Files.readString(target));
        assertEquals(List.of("model.npz"), files(real), "no temporary file left");
        assertEquals(List.of("hop.npz", "model.npz"), files(links));
        assertEquals(target.toRealPath(), AtomicFile.resolveLinks(link));

        Path nowhere = Files.createSymbolicLink(links.resolve("nowhere.npz"), dir.resolve("missing/model.npz"));
        assertMessage(assertThrows(SgdmlFormatException.class, () -> AtomicFile.checkWritable(nowhere)), "does not exist");
        Path loop = Files.createSymbolicLink(links.resolve("loop.npz"), links.resolve("loop.npz"));
        assertMessage(assertThrows(SgdmlFormatException.class, () -> AtomicFile.checkWritable(loop)), "too many levels");
    }

    @Test
    void fifosFoldersAndLinksToThemAreNeverReplaced() throws IOException {
        Path fifo = Fifos.make(dir.resolve("pipe"));
        Path toFifo = Files.createSymbolicLink(dir.resolve("to-pipe"), fifo);
        Path toFolder = Files.createSymbolicLink(dir.resolve("to-folder"), Files.createDirectory(dir.resolve("folder")));
        AtomicBoolean worked = new AtomicBoolean();
        for (Path target : new Path[] {fifo, toFifo}) {
            assertMessage(assertThrows(SgdmlFormatException.class, () -> AtomicFile.write(target, out -> worked.set(true))),
                    "not a regular file", "refusing to replace it");
        }
        assertMessage(assertThrows(SgdmlFormatException.class, () -> AtomicFile.write(toFolder, out -> worked.set(true))), "is a folder");
        assertFalse(worked.get());
        assertTrue(Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther(), "still a fifo");
        assertTrue(Files.isSymbolicLink(toFifo) && Files.isSymbolicLink(toFolder));
        assertEquals(List.of("folder", "pipe", "to-folder", "to-pipe"), files(dir));
    }

    @Test
    void theTemporaryFileNamesItsProcess() {
        AtomicReference<List<String>> during = new AtomicReference<>();
        AtomicFile.write(dir.resolve("model.npz"), out -> during.set(files(dir)));
        assertEquals(1, during.get().size(), during.get().toString());
        String pattern = "\\.model\\.npz\\.gdml4j-" + ProcessHandle.current().pid() + "-[0-9a-z]+\\.tmp";
        assertTrue(during.get().getFirst().matches(pattern), during.get().getFirst());
    }

    @Test
    void theNextWriteRemovesOnlyTheTempFilesOfDeadProcesses() throws IOException {
        FileTime old = FileTime.from(Instant.now().minus(AtomicFile.STALE_AFTER).minusSeconds(60));
        Path dead = stale(".model.npz.gdml4j-" + DEAD_PID + "-x.tmp", old);
        Path live = stale(".model.npz.gdml4j-" + ProcessHandle.current().pid() + "-x.tmp", old);
        Path justWritten = stale(".other.npz.gdml4j-" + DEAD_PID + "-y.tmp", FileTime.from(Instant.now())); // maybe another host's
        Path oldScheme = stale(".model.npz.k3j4h5.tmp", old); // no pid: its writer cannot be known
        Path lookalike = stale("model.npz.gdml4j-" + DEAD_PID + "-x.tmp", old); // not hidden: a user's file
        List<Path> removed = AtomicFile.write(dir.resolve("model.npz"), out -> out.write(1));
        assertEquals(List.of(dead.getFileName()), removed.stream().map(Path::getFileName).toList());
        assertFalse(Files.exists(dead));
        for (Path kept : new Path[] {live, justWritten, oldScheme, lookalike}) {
            assertTrue(Files.exists(kept), kept + " must stay");
        }
        assertEquals(List.of(), AtomicFile.removeStaleTempFiles(dir), "nothing left to remove");
    }

    private Path stale(String name, FileTime modified) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "half a model");
        Files.setLastModifiedTime(p, modified);
        return p;
    }

    @Test
    void afterTheCleanupNoTemporaryFileCanBeStarted() throws IOException {
        AtomicFile.TempFiles registry = new AtomicFile.TempFiles(); // not the global one: closing that ends all writes here
        Path first = registry.create(dir, "model.npz");
        Path second = registry.create(dir, "task.npz");
        registry.release(second);
        registry.removeAllAndClose();
        assertFalse(Files.exists(first), "a registered temporary file is removed");
        assertTrue(Files.exists(second), "a released one belongs to its writer again");
        assertThrows(IOException.class, () -> registry.create(dir, "late.npz"));
        assertEquals(List.of(second.getFileName().toString()), files(dir), "no file appears after the cleanup");
    }

    /**
     * The public cleanup in a process of its own (it closes writing for the whole process): a write in progress loses
     * its temporary file, a later write is refused, and the folder ends up empty.
     */
    @Test
    void removeTempFilesInProgressStopsAllWritesOfTheProcess() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), StopDuringWrite.class.getName(), dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the child process did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("temp file seen") && out.contains("later write refused: ") && out.contains("gdml4j is stopping"), out);
        assertEquals(List.of(), files(dir));
    }

    /** The child process of {@link #removeTempFilesInProgressStopsAllWritesOfTheProcess}. */
    public static final class StopDuringWrite {
        public static void main(String[] args) throws Exception {
            Path folder = Path.of(args[0]);
            java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
            Thread writer = new Thread(() -> AtomicFile.write(folder.resolve("model.npz"), out -> {
                writing.countDown();
                try {
                    Thread.sleep(Long.MAX_VALUE); // a long write, cut short by the process's end
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                }
            }));
            writer.setDaemon(true);
            writer.start();
            writing.await();
            try (Stream<Path> s = Files.list(folder)) {
                System.out.println(s.count() == 1 ? "temp file seen" : "no temp file");
            }
            AtomicFile.removeTempFilesInProgress();
            try {
                AtomicFile.write(folder.resolve("later.npz"), out -> out.write(1));
                System.out.println("later write succeeded");
            } catch (SgdmlFormatException e) {
                System.out.println("later write refused: " + e.getMessage());
            }
        }
    }
}
