package org.gdml4j.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.AtomicFile;
import org.gdml4j.io.SgdmlFormatException;

/**
 * The files one command reads and writes, declared by role and checked together once, at the start of the command,
 * so that a run that would clobber something it must not fails in a second instead of after hours of work.
 *
 * <p>Rules: every declared path is its own file (no two name the same file through a link, a hard link or a
 * different spelling: a model written over its task, or a log appended to the model, loses data); every output can be
 * written and is a regular file, a link to one, or absent (see {@link AtomicFile#checkWritable}); every log can be
 * appended to under the same type rule. Inputs are only compared: their loaders report a missing or bad file best.
 *
 * <p>Usage: {@code new CommandPaths().input("TASK", task).output("-o", model).log("--log-json", log).check();} Null
 * paths (options not given) are skipped. A file that is written and also read back later (a checkpoint that a resumed
 * run starts from) is declared as an output: the output checks cover writing it, and distinctness covers both roles.
 */
final class CommandPaths {
    private enum Role { INPUT, OUTPUT, LOG }

    private record Declared(Role role, String option, Path path) {
        String describe() {
            return option + " " + path;
        }
    }

    private final List<Declared> declared = new ArrayList<>();

    /** A file the command only reads; {@code option} is how the user gave it: {@code "--warm-start"}, {@code "TASK"}. */
    CommandPaths input(String option, Path path) {
        return add(Role.INPUT, option, path);
    }

    /** A file the command writes whole, atomically (or rewrites in place, as validate does with its model). */
    CommandPaths output(String option, Path path) {
        return add(Role.OUTPUT, option, path);
    }

    /** A file the command appends lines to, such as {@code --log-json}. */
    CommandPaths log(String option, Path path) {
        return add(Role.LOG, option, path);
    }

    private CommandPaths add(Role role, String option, Path path) {
        if (path != null) {
            declared.add(new Declared(role, option, path));
        }
        return this;
    }

    /**
     * Fails with one message naming the option(s) at fault unless all rules hold: an {@link InvalidInputException}
     * for two options naming one file, an {@link SgdmlFormatException} for an output or log that cannot be written.
     */
    void check() {
        for (int i = 0; i < declared.size(); i++) {
            for (int j = i + 1; j < declared.size(); j++) {
                Declared a = declared.get(i);
                Declared b = declared.get(j);
                if (AtomicFile.sameFile(a.path(), b.path())) {
                    throw new InvalidInputException(a.describe() + " and " + b.describe()
                            + " are the same file; give each its own path");
                }
            }
        }
        for (Declared d : declared) {
            try {
                switch (d.role()) {
                    case OUTPUT -> AtomicFile.checkWritable(d.path());
                    case LOG -> checkAppendable(d.path());
                    case INPUT -> {
                        // read by its loader, which says best what is wrong with it
                    }
                }
            } catch (SgdmlFormatException e) {
                // the message starts with the path; the option in front tells which of the command's files it is
                throw new SgdmlFormatException(d.option() + " " + e.getMessage(), e);
            }
        }
    }

    /**
     * A log is appended to, never replaced: an existing regular file (or a link's regular target) must open for
     * appending; anything else that exists is refused, and a new file must be accepted by its folder.
     */
    private static void checkAppendable(Path log) {
        Path file = AtomicFile.resolveLinks(log);
        BasicFileAttributes existing;
        try {
            existing = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException absent) {
            AtomicFile.checkWritable(log); // a new file: its folder must exist and take it
            return;
        }
        if (!existing.isRegularFile()) {
            // appending to a fifo blocks until someone reads it; to a device, it is silently lost
            throw new SgdmlFormatException(log + ": cannot append to it: it is " + (existing.isDirectory() ? "a folder"
                    : "not a regular file but a device, fifo or socket"));
        }
        // opening for append changes neither the content nor the modification time
        try (FileChannel ignored = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            // writable
        } catch (IOException e) {
            throw new SgdmlFormatException(log + ": cannot append to it (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
