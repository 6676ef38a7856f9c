package org.gdml4j.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs python3 scripts for interoperability tests. Tests that need numpy call {@link #assumeNumpy()}, which skips
 * them (with the reason printed) on machines without it, since numpy is a cross-check, not a build dependency.
 */
public final class Python {
    private static Boolean numpyAvailable;
    private static String whyNot = "";

    private Python() {
    }

    public static synchronized void assumeNumpy() {
        if (numpyAvailable == null) {
            try {
                Result r = exec(Path.of("").toAbsolutePath(), "import numpy; print(numpy.__version__)");
                numpyAvailable = r.exitCode == 0;
                whyNot = r.output.strip();
            } catch (IOException e) {
                numpyAvailable = false;
                whyNot = e.getMessage();
            }
            if (!numpyAvailable) {
                System.out.println("[python] skipping numpy interop tests: python3 with numpy not usable: " + whyNot);
            }
        }
        Assumptions.assumeTrue(numpyAvailable, "python3 with numpy not usable: " + whyNot);
    }

    /** Runs {@code script} with {@code dir} as working directory; fails the test if it exits non-zero. */
    public static String run(Path dir, String script) {
        try {
            Result r = exec(dir, script);
            if (r.exitCode != 0) {
                throw new AssertionError("python3 failed (exit " + r.exitCode + "):\n" + r.output + "\nscript:\n" + script);
            }
            return r.output;
        } catch (IOException e) {
            throw new AssertionError("cannot run python3", e);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result exec(Path dir, String script) throws IOException {
        Path file = Files.createTempFile("gdml4j-test", ".py");
        try {
            Files.writeString(file, script);
            Process p = new ProcessBuilder("python3", file.toString()).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out\n" + out);
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
