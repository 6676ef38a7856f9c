package org.gdml4j.nativ;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.gdml4j.nativ.blas.generated.Blas;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeLibrariesTest {
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");

    @Test
    void bundledOpenBlasLoadsAndMultiplies() {
        BlasInfo info = NativeLibraries.blas();
        assertTrue(info.source().startsWith("bundled OpenBLAS"), info.source());
        assertTrue(info.isOpenBlas());
        try (Arena arena = Arena.ofConfined()) {
            // C = A·B with A = [[1,2],[3,4]], B = [[5,6],[7,8]] (column-major storage)
            MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1, 3, 2, 4);
            MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 5, 7, 6, 8);
            MemorySegment c = arena.allocate(ValueLayout.JAVA_DOUBLE, 4);
            Blas.cblas_dgemm(Blas.CblasColMajor(), Blas.CblasNoTrans(), Blas.CblasNoTrans(), 2, 2, 2, 1.0, a, 2, b, 2, 0.0, c, 2);
            assertEquals(19, c.getAtIndex(ValueLayout.JAVA_DOUBLE, 0));
            assertEquals(43, c.getAtIndex(ValueLayout.JAVA_DOUBLE, 1));
            assertEquals(22, c.getAtIndex(ValueLayout.JAVA_DOUBLE, 2));
            assertEquals(50, c.getAtIndex(ValueLayout.JAVA_DOUBLE, 3));
        }
    }

    /**
     * Wrong kernels compute right numbers, so only this assertion catches a regression of the AVX-512 choice:
     * on an AVX-512 CPU (unless the user chose a kernel type) the SkylakeX kernels must be active, and on a CPU
     * without AVX-512 no AVX-512 kernel may be (it would die with SIGILL).
     */
    @Test
    void activeKernelsMatchTheCpu() {
        BlasInfo info = NativeLibraries.blas();
        String core = info.corename().toLowerCase(Locale.ROOT);
        assertTrue(info.config().toLowerCase(Locale.ROOT).contains(core), info.config());
        String userChoice = System.getenv(NativeLibraries.CORETYPE_ENV);
        System.out.println("[kernels] cpu=" + CpuFeatures.current().modelName() + " avx512=" + CpuFeatures.current().hasAvx512()
                + " -> " + info.describe() + " | " + info.config());
        if (userChoice != null) {
            assertEquals(userChoice.toLowerCase(Locale.ROOT), core, "the user's OPENBLAS_CORETYPE must be respected");
        } else if (CpuFeatures.current().hasAvx512()) {
            assertEquals("skylakex", core, "AVX-512 CPU: the SkylakeX kernels must be selected");
            assertTrue(info.kernelNote().contains("chosen by gdml4j"), info.kernelNote());
        } else {
            assertFalse(AVX512_CORES.contains(core), "CPU without AVX-512 runs AVX-512 kernels: " + core);
            assertEquals(null, NativeLibraries.processEnv(NativeLibraries.CORETYPE_ENV));
        }
    }

    /** OpenBLAS's workers must not spin ≈ 0.1 s after each call (unless the user asked for it): see shortenThreadTimeout. */
    @Test
    void blasWorkersSleepSoonUnlessTheUserChose() {
        NativeLibraries.blas();
        String user = System.getenv(NativeLibraries.THREAD_TIMEOUT_ENV);
        assertEquals(user != null ? user : "4", NativeLibraries.processEnv(NativeLibraries.THREAD_TIMEOUT_ENV));
    }

    @Test
    void oneThreadCountGovernsBlas() {
        NativeLibraries.blas();
        int before = NativeLibraries.threads();
        try {
            NativeLibraries.setThreads(1);
            assertEquals(1, Blas.openblas_get_num_threads());
            NativeLibraries.setThreads(2);
            assertEquals(2, NativeLibraries.threads());
            assertTrue(Blas.openblas_get_num_threads() >= 1);
        } finally {
            NativeLibraries.setThreads(before);
        }
    }

    @Test
    void cudaProbeNeverThrows() {
        CudaStatus s = NativeLibraries.cuda();
        assertNotNull(s.reason());
        assertFalse(s.reason().isBlank());
        if (!s.available()) {
            System.out.println("[cuda] not available: " + s.reason());
        } else {
            assertTrue(s.deviceCount() > 0);
        }
    }

    @Test
    void missingUserLibraryGivesOneClearMessage() throws Exception {
        Result r = runChild("-D" + NativeLibraries.BLAS_PROPERTY + "=/nonexistent/libnotblas.so");
        assertEquals(3, r.exit, r.output);
        assertTrue(r.output.contains("/nonexistent/libnotblas.so"), r.output);
        assertTrue(r.output.contains("GDML4J_BLAS"), "message must say how to point at another library: " + r.output);
        assertFalse(r.output.contains("UnsatisfiedLinkError"), r.output);
        assertFalse(r.output.contains("\tat "), "no stack trace expected: " + r.output);
    }

    @Test
    void libraryWithoutLapackIsRejectedByName() throws Exception {
        // libm is a real shared library without CBLAS/LAPACK: loading works, the symbol check must name what is missing
        Path libm = new LibraryLocator(LibraryLocator.systemDirs()).find("libm.so.6").orElseThrow();
        Result r = runChild("-D" + NativeLibraries.BLAS_PROPERTY + "=" + libm);
        assertEquals(3, r.exit, r.output);
        assertTrue(r.output.contains("lacks") && r.output.contains("cblas_dgemm"), r.output);
    }

    @Test
    void invalidThreadCountIsRejected() throws Exception {
        Result r = runChild("-D" + NativeLibraries.THREADS_PROPERTY + "=0");
        assertEquals(3, r.exit, r.output);
        assertTrue(r.output.contains("invalid thread count"), r.output);
    }

    private record Result(int exit, String output) {
    }

    private static Result runChild(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadCheck.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }
}
