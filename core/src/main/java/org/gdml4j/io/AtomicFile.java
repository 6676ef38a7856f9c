package org.gdml4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whole-file writes that either fully succeed or leave nothing behind.
 *
 * <p>A training run can take hours, so two failure modes matter: discovering only at the end that the output cannot
 * be written (hence {@link #checkWritable}, which the CLI calls before the work starts), and a crash or full disk
 * half-way through a write clobbering an older good file (hence write-to-temp, fsync, atomic rename).
 *
 * <p>What may be replaced: a regular file, or nothing. A symbolic link is followed (a chain of them too) and its final
 * target is written, in the target's folder, so the link stays a link; a device, fifo, socket or folder is refused,
 * because renaming over {@code /dev/null} (as root) or a fifo would silently destroy it.
 *
 * <p>Temporary files are named {@code .NAME.gdml4j-<pid>-<random>.tmp}. A process killed with {@code kill -9} cannot
 * clean up, so every write first removes the temporary files in its folder whose process is gone; see
 * {@link #removeStaleTempFiles}. Files of the older scheme {@code .NAME.<random>.tmp} carry no pid, so nothing can
 * tell whether their writer still runs: they are left alone and must be removed by hand.
 */
public final class AtomicFile {

    /** Produces the file's content; must not close the stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * How long a dead process's temporary file must have been untouched before it is removed. The pid is only
     * meaningful on this machine and in this container; a process on another host (an NFS folder shared by cluster
     * jobs) has a pid unknown here, and its file must not vanish under it. A writer touches its file all the time
     * (64 KiB buffers) and writes for seconds, so a file a minute old whose pid is gone here is a leftover.
     */
    static final Duration STALE_AFTER = Duration.ofMinutes(1);

    /** Symbolic links followed before giving up, as Linux does (ELOOP after 40). */
    private static final int MAX_LINK_HOPS = 40;

    /** {@code .NAME.gdml4j-<pid>-<random>.tmp}; group 1 is the pid of the writing process. */
    private static final Pattern TEMP_NAME = Pattern.compile("\\..+\\.gdml4j-(\\d+)-[0-9a-z]+\\.tmp");

    private static final TempFiles TEMP_FILES = new TempFiles();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicFile::removeTempFilesInProgress, "gdml4j-temp-cleanup"));
    }

    private AtomicFile() {
    }

    /**
     * Deletes every temporary file being written right now, and makes every later attempt to start one fail, so that
     * nothing is left behind once this has run (for the shutdown hook and for signal handlers that exit right after).
     */
    public static void removeTempFilesInProgress() {
        TEMP_FILES.removeAllAndClose();
    }

    /**
     * Fails, with a message for the user, unless {@code target} can be written: its folder must exist and accept new
     * files, it must be a regular file, a link to one, or absent (never a folder, device, fifo or socket), and it must
     * not be one of the {@code inputs} (the same file by any path, link included), because a run that overwrites its
     * own input cannot be repeated.
     */
    public static void checkWritable(Path target, Path... inputs) {
        Path file = resolveLinks(target);
        String via = Files.isSymbolicLink(target.toAbsolutePath().normalize()) ? " (the link's target " + file + ")" : "";
        BasicFileAttributes existing = attributesOrNull(file);
        if (existing != null && existing.isDirectory()) {
            throw new SgdmlFormatException(target + ": cannot write: it is a folder" + via);
        }
        if (existing != null && !existing.isRegularFile()) {
            throw new SgdmlFormatException(target + ": cannot write: it is not a regular file but a device, fifo or socket"
                    + via + "; refusing to replace it");
        }
        Path dir = file.getParent();
        if (dir == null || !Files.exists(dir)) {
            throw new SgdmlFormatException(target + ": cannot write: folder " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new SgdmlFormatException(target + ": cannot write: " + dir + " is not a folder");
        }
        for (Path input : inputs) {
            if (input != null && sameFile(target, input)) {
                throw new SgdmlFormatException(target + ": refusing to overwrite the input file " + input
                        + "; choose a different output file");
            }
        }
        // Files.isWritable() says yes to root on read-only mounts and no on some ACL setups; creating a file is the test.
        try {
            Path probe = TEMP_FILES.create(dir, "gdml4j-write-check");
            try {
                Files.delete(probe);
            } finally {
                TEMP_FILES.release(probe);
            }
        } catch (StoppingException e) {
            throw new SgdmlFormatException(target + ": not written: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SgdmlFormatException(target + ": cannot write into folder " + dir
                    + " (read-only or no permission: " + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * Whether {@code a} and {@code b} name the same file by any path: {@link Files#isSameFile} (links and hard links)
     * when both exist, otherwise equal {@link #resolveLinks final targets} (a file about to be created by two names).
     */
    public static boolean sameFile(Path first, Path second) {
        // normalized as the user means them: "out/../task.npz" is task.npz even when "out" does not exist
        Path a = first.toAbsolutePath().normalize();
        Path b = second.toAbsolutePath().normalize();
        boolean aExists = Files.exists(a);
        boolean bExists = Files.exists(b);
        if (aExists && bExists) {
            try {
                return Files.isSameFile(a, b);
            } catch (IOException e) {
                return false;
            }
        }
        return !aExists && !bExists && resolveLinks(a).equals(resolveLinks(b));
    }

    /**
     * The file a write to {@code path} lands in: the final target of a chain of symbolic links (relative links are
     * relative to their own folder, a dangling link gives its missing target), absolute, with its folder's real path
     * where that folder exists. The user's path itself is normalized first ({@code sub/../x} is {@code x}), as before.
     */
    public static Path resolveLinks(Path path) {
        Path p = path.toAbsolutePath().normalize();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == MAX_LINK_HOPS) {
                throw new SgdmlFormatException(path + ": too many levels of symbolic links (a loop?)");
            }
            try {
                p = p.getParent().resolve(Files.readSymbolicLink(p));
            } catch (IOException e) {
                throw new SgdmlFormatException(path + ": cannot read the symbolic link " + p + ": " + e.getMessage(), e);
            }
        }
        Path dir = p.getParent();
        Path name = p.getFileName();
        if (dir == null || name == null) {
            return p;
        }
        try {
            dir = Files.isDirectory(dir) ? dir.toRealPath() : dir.normalize();
        } catch (IOException e) {
            dir = dir.normalize();
        }
        return dir.resolve(name);
    }

    /**
     * Checks {@code target} with {@link #checkWritable}, writes {@code content} to a hidden temporary file in the
     * folder of the file it resolves to, forces it to disk and renames it over that file in one step. On any failure
     * the temporary file is removed and the file is left as it was.
     *
     * @return the stale temporary files of dead processes removed from that folder first (usually none), for a caller
     *         that wants to tell the user; this class prints nothing
     */
    public static List<Path> write(Path target, Content content, Path... inputs) {
        checkWritable(target, inputs);
        Path file = resolveLinks(target);
        Path dir = file.getParent();
        List<Path> removed = removeStaleTempFiles(dir);
        Path temp = null;
        boolean done = false;
        try {
            temp = TEMP_FILES.create(dir, file.getFileName().toString());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            syncFolder(dir);
        } catch (IOException e) {
            throw new SgdmlFormatException(target + ": write failed: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                if (!done) {
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException ignored) {
                        // the original failure is what the user needs to see
                    }
                }
                TEMP_FILES.release(temp);
            }
        }
        return removed;
    }

    /**
     * Removes from {@code dir} the temporary files {@code .NAME.gdml4j-<pid>-<random>.tmp} whose process no longer
     * runs here and that have been untouched for {@link #STALE_AFTER}. Temporary files of live processes (this one
     * included) stay. Best effort and silent: a file that cannot be removed is simply kept.
     *
     * @return the files removed
     */
    public static List<Path> removeStaleTempFiles(Path dir) {
        List<Path> removed = new ArrayList<>();
        Instant cutoff = Instant.now().minus(STALE_AFTER);
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(dir, ".*.gdml4j-*.tmp")) {
            for (Path p : candidates) {
                Matcher m = TEMP_NAME.matcher(p.getFileName().toString());
                if (m.matches() && writerIsGone(m.group(1)) && untouchedSince(p, cutoff)) {
                    try {
                        if (Files.deleteIfExists(p)) {
                            removed.add(p);
                        }
                    } catch (IOException ignored) {
                        // another process removed it first, or it is not ours to remove
                    }
                }
            }
        } catch (IOException | DirectoryIteratorException ignored) {
            // an unreadable folder only means nothing is cleaned up; the write itself reports real problems
        }
        return List.copyOf(removed);
    }

    private static boolean writerIsGone(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).isEmpty();
        } catch (NumberFormatException e) {
            return false; // more digits than a pid can have: not one of ours
        }
    }

    private static boolean untouchedSince(Path p, Instant cutoff) {
        BasicFileAttributes a = attributesOrNull(p);
        return a != null && a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(cutoff);
    }

    /** The attributes of {@code p} itself (a link is not followed), or null if it does not exist. */
    private static BasicFileAttributes attributesOrNull(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
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

    /** A write attempted after {@link #removeTempFilesInProgress}: the process is on its way out. */
    private static final class StoppingException extends IOException {
        private static final long serialVersionUID = 1L;

        StoppingException() {
            super("gdml4j is stopping, no new file is started");
        }
    }

    /**
     * The temporary files this process is writing. Creating a file and registering it happen under one lock, and
     * {@link #removeAllAndClose} takes that lock and closes the registry for good: so no temporary file can appear
     * after the cleanup that runs when the process is stopped.
     */
    static final class TempFiles {
        private final Set<Path> inProgress = new HashSet<>();
        private boolean closed;

        /**
         * A new empty file {@code .<name>.gdml4j-<pid>-<random>.tmp} in {@code dir}. Not {@code Files.createTempFile}:
         * that makes the file owner-only (0600), and the model would keep those permissions after the rename; a plain
         * create follows the user's umask like any other output.
         */
        Path create(Path dir, String name) throws IOException {
            String prefix = "." + name + ".gdml4j-" + ProcessHandle.current().pid() + "-";
            for (int attempt = 0; ; attempt++) {
                Path candidate = dir.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
                synchronized (this) {
                    if (closed) {
                        throw new StoppingException();
                    }
                    try {
                        Path created = Files.createFile(candidate);
                        inProgress.add(created);
                        return created;
                    } catch (FileAlreadyExistsException e) {
                        if (attempt > 100) {
                            throw e;
                        }
                    }
                }
            }
        }

        /** Forgets {@code temp}: it was renamed into place or deleted by its writer. */
        synchronized void release(Path temp) {
            inProgress.remove(temp);
        }

        /** Deletes every registered file and refuses all later {@link #create} calls. */
        synchronized void removeAllAndClose() {
            closed = true;
            for (Path p : inProgress) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // nothing more can be done while the process stops
                }
            }
            inProgress.clear();
        }
    }
}
