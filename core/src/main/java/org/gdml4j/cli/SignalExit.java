package org.gdml4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import org.gdml4j.io.AtomicFile;
import org.gdml4j.nativ.ProcessExit;

import sun.misc.Signal;

/**
 * SIGINT, SIGTERM and SIGHUP end the command within moments, with exit status 128 + the signal's number (130, 143,
 * 129), whatever stage it is in.
 *
 * <p>The JVM's own handling runs the shutdown hooks and then libc's {@code exit}, whose OpenBLAS destructor joins
 * OpenBLAS's threads; during a multithreaded BLAS call that join never returns (issue #13: Ctrl-C in {@code dpotrf} hung
 * until kill -9). So the handler here does the little clean-up a command needs itself (remove the temporary file of an
 * output being written; the previous output stays as it was, since outputs are only ever replaced by a rename), prints
 * one line, and ends the process with {@code _exit} ({@link ProcessExit}), which runs no destructor and so cannot hang
 * on BLAS, by construction rather than by timing. A checkpoint already on disk is kept: it is how the run resumes.
 */
final class SignalExit {
    private static final AtomicBoolean EXITING = new AtomicBoolean();
    private static volatile Path checkpoint;

    private SignalExit() {
    }

    /** Installs the handlers; called first thing in {@code main}, before any native library is loaded. */
    static void install() {
        handle("INT", 2);
        handle("TERM", 15);
        handle("HUP", 1);
    }

    /** Whether a signal's handler has started ending the process. */
    static boolean stopping() {
        return EXITING.get();
    }

    /**
     * Never returns while a handler is ending the process: the command may have failed because of the signal (a write
     * refused once the clean-up has begun) and must not race the handler's status with its own exit, nor run libc's
     * exit, which is what the handler avoids.
     */
    static void awaitIfStopping() {
        while (EXITING.get()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                // keep waiting: the handler's _exit ends this thread too
            }
        }
    }

    /** The checkpoint a running solve keeps (or null): named in the interruption message when it exists. */
    static void checkpoint(Path file) {
        checkpoint = file;
    }

    private static void handle(String name, int number) {
        try {
            Signal.handle(new Signal(name), s -> exit(name, number));
        } catch (IllegalArgumentException e) {
            // the signal is reserved here (e.g. the JVM runs with -Xrs): its default action applies
        }
    }

    private static void exit(String name, int number) {
        int status = 128 + number;
        if (!EXITING.compareAndSet(false, true)) {
            ProcessExit.now(status); // a second signal while cleaning up: go at once
        }
        try {
            AtomicFile.removeTempFilesInProgress();
            PrintStream err = System.err;
            Path ckpt = checkpoint;
            String resume = ckpt != null && Files.isRegularFile(ckpt)
                    ? "; progress is kept in " + ckpt + " (continue with the same command and --resume)" : "";
            err.println();
            err.println("gdml4j: interrupted by SIG" + name + resume);
            err.flush();
            System.out.flush();
        } finally {
            ProcessExit.now(status);
        }
    }
}
