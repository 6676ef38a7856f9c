package org.gdml4j.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The two libc calls the loader needs. {@code System.getenv} shows the environment the JVM started with;
 * OpenBLAS reads the process environment with {@code getenv(3)} when it is loaded, so a value we choose
 * at run time (the kernel type) must be put there with {@code setenv(3)} before the library is opened.
 */
final class Posix {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SETENV = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("setenv"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle GETENV = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("getenv"), FunctionDescriptor.of(ADDRESS, ADDRESS));

    private Posix() {
    }

    /** setenv(name, value, overwrite): with {@code overwrite = false} a value the user set is kept. */
    static void setenv(String name, String value, boolean overwrite) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) SETENV.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), overwrite ? 1 : 0);
            if (rc != 0) {
                throw new NativeLibraryException("setenv(" + name + ") failed with code " + rc);
            }
        } catch (NativeLibraryException e) {
            throw e;
        } catch (Throwable t) {
            throw new NativeLibraryException("setenv(" + name + ") failed: " + t, t);
        }
    }

    /** The process environment's current value (which may differ from {@link System#getenv}), or null. */
    static String getenv(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = (MemorySegment) GETENV.invokeExact(arena.allocateFrom(name));
            return p.equals(MemorySegment.NULL) ? null : p.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new NativeLibraryException("getenv(" + name + ") failed: " + t, t);
        }
    }
}
