package org.gdml4j.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code GDML4J_BLAS} that names no usable library (a missing file, or a library without BLAS such as zlib) is
 * an environment error: one line naming the setting's path and what is wrong, exit 1, no
 * {@code ExceptionInInitializerError} trace. The variable is read once per JVM, so each case runs in a process
 * of its own.
 */
class BlasLibraryErrorTest {
    private static final Duration LIMIT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    @Test
    void aMissingLibraryFile() {
        String missing = dir.resolve("no-such-libopenblas.so.0").toString();
        for (List<String> command : commands()) {
            String e = environmentError(command, "GDML4J_BLAS", missing);
            assertTrue(e.contains(missing) && e.contains("does not exist"), e);
        }
    }

    @Test
    void aLibraryWithoutBlasSymbols() {
        String zlib = systemLibraryWithoutBlas();
        for (List<String> command : commands()) {
            String e = environmentError(command, "GDML4J_BLAS", zlib);
            assertTrue(e.contains(zlib) && e.contains("cblas_dgemm"), e);
        }
    }

    /** {@code GDML4J_THREADS} is read before any command runs, outside the handler that turns exceptions into lines. */
    @Test
    void aBadThreadCountInTheEnvironment() {
        String e = environmentError(List.of("info"), "GDML4J_THREADS", "many");
        assertTrue(e.contains("GDML4J_THREADS") && e.contains("many"), e);
    }

    /** {@code info} (BLAS is loaded for its report) and {@code solve} of a fixture task (BLAS is loaded for the work). */
    private List<List<String>> commands() {
        return List.of(List.of("info"),
                List.of("solve", TestData.fixture("ethanol-sym-m30", "task.npz").toString(), "-o", dir.resolve("model.npz").toString()));
    }

    private String environmentError(List<String> command, String variable, String value) {
        Cli.Result r = CliProcess.gdml4j(command.toArray(String[]::new)).env(variable, value).env("GDML4J_THREADS",
                variable.equals("GDML4J_THREADS") ? value : null).dir(dir).run(LIMIT);
        System.out.println("[" + String.join(" ", command.subList(0, 1)) + " " + variable + "=" + value + "] exit " + r.exit() + ": "
                + r.err().strip().replace("\n", " | "));
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("gdml4j: error: ")).toList();
        assertEquals(1, errors.size(), "exactly one error line:\n" + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace:\n" + r.err());
        assertTrue(r.errorLine().contains(variable), r.err());
        assertFalse(Files.exists(dir.resolve("model.npz")), "no model may be written");
        return r.errorLine();
    }

    /** A shared library every x86-64 Linux has that exports no BLAS: zlib (as in the report), else the C math library. */
    private static String systemLibraryWithoutBlas() {
        for (String name : List.of("libz.so.1", "libm.so.6")) {
            for (String folder : List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64")) {
                Path p = Path.of(folder, name);
                if (Files.isRegularFile(p)) {
                    return p.toString();
                }
            }
        }
        throw new AssertionError("neither libz.so.1 nor libm.so.6 in the usual library folders of x86-64 Linux");
    }
}
