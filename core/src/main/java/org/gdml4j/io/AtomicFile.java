package org.gdml4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file writes that either fully succeed or leave nothing behind.
 *
 * <p>A training run can take hours, so two failure modes matter: discovering only at the end that the output cannot
 * be written (hence {@link #checkWritable}, which the CLI calls before the work starts), and a crash or full disk
 * half-way through a write clobbering an older good file (hence write-to-temp, fsync, atomic rename).
 */
public final class AtomicFile {

    /** Produces the file's content; must not close the stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Temporary files being written right now; a shutdown hook removes them if the JVM is stopped (Ctrl-C, kill). */
    private static final java.util.Set<Path> IN_PROGRESS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicFile::removeTempFilesInProgress, "gdml4j-temp-cleanup"));
    }

    /** Deletes the temporary files being written right now (a signal handler calls this before the process ends). */
    public static void removeTempFilesInProgress() {
        for (Path p : IN_PROGRESS) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // nothing more can be done while the process ends
            }
        }
    }

    private AtomicFile() {
    }

    /**
     * Fails, with a message for the user, unless {@code target} can be written: its folder must exist and accept new
     * files, it must not be a folder itself, and it must not be one of the {@code inputs} (the same file by any path,
     * link included), because a run that overwrites its own input cannot be repeated.
     */
    public static void checkWritable(Path target, Path... inputs) {
        Path absolute = target.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        if (Files.isDirectory(absolute)) {
            throw new SgdmlFormatException(target + ": cannot write: it is a folder");
        }
        if (dir == null || !Files.exists(dir)) {
            throw new SgdmlFormatException(target + ": cannot write: folder " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new SgdmlFormatException(target + ": cannot write: " + dir + " is not a folder");
        }
        for (Path input : inputs) {
            if (input != null && isSameFile(absolute, input)) {
                throw new SgdmlFormatException(target + ": refusing to overwrite the input file " + input
                        + "; choose a different output file");
            }
        }
        // Files.isWritable() says yes to root on read-only mounts and no on some ACL setups; creating a file is the test.
        try {
            Path probe = createTemp(dir, ".gdml4j-write-check");
            Files.delete(probe);
        } catch (IOException e) {
            throw new SgdmlFormatException(target + ": cannot write into folder " + dir
                    + " (read-only or no permission: " + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static boolean isSameFile(Path target, Path input) {
        try {
            return Files.exists(target) && Files.exists(input) && Files.isSameFile(target, input);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Checks {@code target} with {@link #checkWritable}, writes {@code content} to a hidden temporary file next to it,
     * forces it to disk and renames it over {@code target} in one step. On any failure the temporary file is removed
     * and {@code target} is left as it was.
     */
    public static void write(Path target, Content content, Path... inputs) {
        checkWritable(target, inputs);
        Path absolute = target.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        Path temp = null;
        boolean done = false;
        try {
            temp = createTemp(dir, "." + absolute.getFileName());
            IN_PROGRESS.add(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            syncFolder(dir);
        } catch (IOException e) {
            throw new SgdmlFormatException(target + ": write failed: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                IN_PROGRESS.remove(temp);
            }
            if (!done && temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original failure is what the user needs to see
                }
            }
        }
    }

    /**
     * A new empty file {@code <prefix>.<random>.tmp} in {@code dir}. Not {@code Files.createTempFile}: that makes the
     * file owner-only (0600), and the model would keep those permissions after the rename; a plain create follows
     * the user's umask like any other output.
     */
    private static Path createTemp(Path dir, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = dir.resolve(prefix + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** Makes the rename itself durable; best effort, as not every file system lets a folder be opened. */
    private static void syncFolder(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the data itself is already on disk; only the directory entry's durability is at stake
        }
    }
}
