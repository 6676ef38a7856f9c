package org.gdml4j.nativ;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Ends the process at once through libc's {@code _exit}, skipping {@code atexit} handlers and library destructors.
 *
 * <p>Why: {@code System.exit} and {@code Runtime.halt} end in libc's {@code exit}, which runs OpenBLAS's destructor
 * ({@code gotoblas_quit} → {@code blas_thread_shutdown_}); that joins OpenBLAS's worker threads, and while another thread
 * is still inside a multithreaded BLAS call (a signal arrives during {@code dpotrf}) the join never returns and the
 * process hangs until killed (issue #13). {@code _exit} runs no destructor at all, so it cannot hang there whatever
 * BLAS is doing: the kernel reclaims the memory and the threads. The caller must have done its own clean-up (temporary
 * files) and flushed its streams first; nothing else runs after this call.
 */
public final class ProcessExit {
    private static final MethodHandle EXIT;

    static {
        Linker linker = Linker.nativeLinker();
        EXIT = linker.defaultLookup().find("_exit")
                .map(s -> linker.downcallHandle(s, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT)))
                .orElse(null);
    }

    private ProcessExit() {
    }

    /** Whether {@link #now} can bypass libc's exit handlers on this platform. */
    public static boolean available() {
        return EXIT != null;
    }

    /** Terminates the process with {@code status}; falls back to {@link Runtime#halt} where libc has no {@code _exit}. */
    public static void now(int status) {
        if (EXIT != null) {
            try {
                EXIT.invokeExact(status);
            } catch (Throwable t) {
                // cannot happen for a void downcall of a present symbol; halt below still ends the process
            }
        }
        Runtime.getRuntime().halt(status);
    }
}
