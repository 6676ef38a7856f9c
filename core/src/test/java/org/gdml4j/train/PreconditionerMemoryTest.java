package org.gdml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.io.Task;
import org.gdml4j.kernel.GdmlKernel;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.InsufficientMemoryException;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Precision;
import org.gdml4j.precond.ColumnSource;
import org.gdml4j.precond.PreconditionerBuilder;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.solve.Preconditioner;
import org.gdml4j.solve.Progress;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory plan of a PCG solve ({@link PcgStage#bytes}) sums what each preconditioner's build path declares next to
 * its allocations ({@link PreconditionerBuilder#bytesNeeded}). Each declaration must cover the build's real peak of live
 * workspace bytes and stay close to it: at least the peak, at most 1.5x it plus 256 kB (the planning assumptions of
 * LAPACK's work arrays and of the FP32 factor's dominant directions, which the spectrum decides only later).
 *
 * <p>The peak is measured exactly, allocations inside the backend's LAPACK calls included: with a user limit of
 * {@code x} bytes (a CPU backend of its own whose {@link MemoryBudget} has that cap) a build fails with {@link InsufficientMemoryException} at
 * the first allocation that would bring the live bytes above it, so the smallest x at which the build succeeds is its
 * peak; a bisection finds it. Every refused build must free all it took (the bisection checks that too).
 */
class PreconditionerMemoryTest {
    private static final String FIXTURE = "ethanol-sym-m30";
    private static final int K = 120;
    private static final long SLACK = 256 << 10;

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (PreconditionerKind kind : PreconditionerKind.values()) {
            if (kind == PreconditionerKind.NONE) {
                continue;
            }
            out.add(Arguments.of(kind, Precision.FP64));
            if (kind.lowRank() && !kind.dense()) {
                out.add(Arguments.of(kind, Precision.FP32));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void declaredPeakCoversTheMeasuredPeak(PreconditionerKind kind, Precision precision) {
        Backend be = CpuBackend.get();
        try (Arena arena = Arena.ofShared()) {
            TrainingSet ts = TrainingSet.of(Task.load(TestData.fixture(FIXTURE, "task.npz"), arena));
            try (GdmlKernel kernel = GdmlKernel.create(be, ts.positions(), ts.count(), ts.atoms(), ts.symmetries(), ts.sigma())) {
                ColumnSource src = ColumnSource.of(kernel);
                long n = ts.size();
                long declared = PreconditionerBuilder.bytesNeeded(kind, n, K, 3 * ts.atoms(), precision);
                java.util.function.Consumer<Backend> build = limited -> {
                    try (PreconditionerBuilder b = new PreconditionerBuilder(limited, src, ts.lambda(), 1, Progress.NONE, precision);
                            Preconditioner p = b.build(kind, K).preconditioner()) {
                        assertTrue(p.bytes() > 0);
                    }
                };
                long[] bounds = peak(build, 2 * declared + (16 << 20));
                System.out.printf("[memory] %s %s (n = %d, k = %d): declared %,d bytes, measured peak %,d (%.2fx)%n", kind.cliName(),
                        precision, n, K, declared, bounds[1], (double) declared / bounds[1]);
                assertTrue(fits(build, declared), kind + " " + precision + ": the build does not fit in the"
                        + " declared " + declared + " bytes (measured peak " + bounds[1] + ")");
                assertTrue(declared <= 1.5 * bounds[0] + SLACK, kind + " " + precision + ": declared " + declared
                        + " is far above the measured peak " + bounds[1]);
                SolveOptions o = SolveOptions.defaults().withPreconditioner(kind, K).withPrecision(precision);
                assertEquals(PcgStage.bytes(ts, o, 1) - PreconditionerBuilder.bytesNeeded(kind, n, 1, 3 * ts.atoms(), precision)
                        + declared, PcgStage.bytes(ts, o, K), "the plan is the kernel's and CG's bytes plus the declared build");
            }
        }
    }

    /**
     * Bounds (low, high] on the bytes above the live ones that {@code build} needs at its peak: it fails with a limit
     * of low and succeeds with high, {@code high} at most 0.2 % above low.
     */
    private static long[] peak(java.util.function.Consumer<Backend> build, long high) {
        assertTrue(fits(build, high), "the build does not even fit in " + high + " bytes");
        long low = 0;
        while (high - low > Math.max(512, high / 500)) {
            long mid = low + (high - low) / 2;
            if (fits(build, mid)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return new long[] {low, high};
    }

    /** Whether {@code build} succeeds on a CPU backend whose budget allows {@code bytes}; it must leave nothing behind. */
    private static boolean fits(java.util.function.Consumer<Backend> build, long bytes) {
        CpuBackend limited = CpuBackend.create(CpuBackend.Settings.defaults().withMemoryLimit(bytes));
        try {
            build.accept(limited);
            return true;
        } catch (InsufficientMemoryException e) {
            return false;
        } finally {
            assertEquals(0, limited.memory().liveBytes(), "a build limited to " + bytes + " bytes left memory behind");
        }
    }
}
