package org.gdml4j.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX of the CUDA backend: it holds every kernel the backend launches, and it is what
 * {@code core/src/main/cuda/compile-ptx.sh} makes from the committed sources. That comparison needs the nvcc that made
 * it (the PTX names its release); without it the test says why and is skipped. Runs on machines without a GPU.
 */
class CudaPtxTest {
    @TempDir
    Path dir;

    private static String ptx() {
        return new String(CudaDevice.ptx(), StandardCharsets.US_ASCII);
    }

    @Test
    void thePtxHoldsEveryKernelTheBackendLaunches() {
        String ptx = ptx();
        for (String k : CudaOps.KERNELS) {
            assertTrue(Pattern.compile("\\.entry\\s+" + Pattern.quote(k) + "\\s*\\(").matcher(ptx).find(), "no kernel " + k + " in the PTX");
        }
    }

    @Test
    void theCommittedPtxIsWhatTheSourcesCompileTo() throws IOException, InterruptedException {
        Path root = sourceRoot();
        Path nvcc = Path.of(System.getenv().getOrDefault("NVCC", "/usr/local/cuda/bin/nvcc"));
        String reason = !Files.isExecutable(nvcc) ? "no nvcc at " + nvcc : null;
        String release = null;
        if (reason == null) {
            Process v = new ProcessBuilder(nvcc.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            v.waitFor(60, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("release [0-9.]+, V[0-9.]+").matcher(out);
            release = m.find() ? m.group() : "unknown";
            if (!ptx().contains(release)) {
                reason = "nvcc " + release + " is not the release that made the committed PTX";
            }
        }
        if (reason != null) {
            System.out.println("CudaPtxTest: skipping the PTX rebuild check: " + reason);
        }
        assumeTrue(reason == null, reason);
        Path out = dir.resolve("gdml4j.ptx");
        Process p = new ProcessBuilder("bash", root.resolve("compile-ptx.sh").toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "compile-ptx.sh failed: " + log);
        assertArrayEquals(CudaDevice.ptx(), Files.readAllBytes(out),
                "the committed PTX differs from its sources: run core/src/main/cuda/compile-ptx.sh and commit the result");
    }

    /** core/src/main/cuda, found from the test's working directory (the module or the repository root). */
    private static Path sourceRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            for (Path c : new Path[] {p.resolve("src/main/cuda"), p.resolve("core/src/main/cuda")}) {
                if (Files.isRegularFile(c.resolve("compile-ptx.sh"))) {
                    return c;
                }
            }
        }
        throw new IllegalStateException("core/src/main/cuda not found above " + Path.of("").toAbsolutePath());
    }
}
