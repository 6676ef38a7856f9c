package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.io.Model;
import org.gdml4j.io.Task;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Precision;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.solve.SolveReport;
import org.gdml4j.testsupport.HostlessBackend;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline on {@link HostlessBackend}, whose memory throws on every host access: if any algorithm code in
 * kernel, precond, solve or train touched elements of backend memory, these solves would fail. Every operation of the
 * host-less backend is the CPU backend's on the same operands in the same order, so the models must be bit-identical
 * to the CPU backend's: closed form, PCG with every preconditioner and both factor precisions, growth, warm start, and
 * create → solve → predict through {@link Trainer}. The host traffic of a PCG iteration is O(k) bytes, not O(n).
 */
class HostlessPipelineTest {
    private static final String FIXTURE = "ethanol-sym-m30";

    static List<Arguments> pcgCases() {
        List<Arguments> out = new ArrayList<>();
        for (PreconditionerKind kind : PreconditionerKind.values()) {
            out.add(Arguments.of(kind, Precision.FP64));
            if (kind.lowRank() && !kind.dense()) {
                out.add(Arguments.of(kind, Precision.FP32));
            }
        }
        return out;
    }

    private static double[] solve(Backend be, Task task, SolveOptions o) {
        TrainResult r = new TaskSolver(be, null).solve(task, o);
        return r.model().alphasF().toDoubleArray();
    }

    private static Task task(Arena arena) {
        return Task.load(TestData.fixture(FIXTURE, "task.npz"), arena);
    }

    @Test
    void closedFormIsBitIdentical() {
        try (Arena arena = Arena.ofShared()) {
            Task task = task(arena);
            SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.CLOSED_FORM);
            assertArrayEquals(solve(CpuBackend.get(), task, o), solve(new HostlessBackend(), task, o));
        }
    }

    @ParameterizedTest
    @MethodSource("pcgCases")
    void pcgIsBitIdentical(PreconditionerKind kind, Precision precision) {
        try (Arena arena = Arena.ofShared()) {
            Task task = task(arena);
            SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withPreconditioner(kind, kind.lowRank() ? 60 : null)
                    .withPrecision(precision).withAllowUnconverged(true).withMaxIter(2000L);
            double[] cpu = solve(CpuBackend.get(), task, o);
            double[] hostless = solve(new HostlessBackend(), task, o);
            assertArrayEquals(cpu, hostless, kind.cliName() + " " + precision);
        }
    }

    /** A tiny k stagnates and grows; the grown preconditioners and the iterates stay identical. */
    @ParameterizedTest
    @MethodSource("growthCases")
    void growthIsBitIdentical(PreconditionerKind kind, Precision precision) {
        try (Arena arena = Arena.ofShared()) {
            Task task = task(arena);
            SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withPreconditioner(kind, 4).withPrecision(precision)
                    .withGrowth(true).withAllowUnconverged(true).withMaxIter(3000L);
            TrainResult cpu = new TaskSolver(CpuBackend.get(), null).solve(task, o);
            TrainResult hostless = new TaskSolver(new HostlessBackend(), null).solve(task, o);
            assertTrue(cpu.report().events().stream().anyMatch(e -> e.contains("grown")), "no growth happened: " + cpu.report().events());
            assertEquals(cpu.report().events(), hostless.report().events());
            assertArrayEquals(cpu.model().alphasF().toDoubleArray(), hostless.model().alphasF().toDoubleArray());
        }
    }

    static List<Arguments> growthCases() {
        return List.of(Arguments.of(PreconditionerKind.CHOLESKY, Precision.FP64), Arguments.of(PreconditionerKind.CHOLESKY, Precision.FP32),
                Arguments.of(PreconditionerKind.LEVERAGE, Precision.FP64), Arguments.of(PreconditionerKind.UNIFORM, Precision.FP32));
    }

    @Test
    void warmStartIsBitIdentical() {
        try (Arena arena = Arena.ofShared()) {
            Task task = task(arena);
            double[] start = solve(CpuBackend.get(), task, SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withKRule("default", null, null).withRtol(1e-2));
            SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withKRule("default", null, null).withWarmStart(start);
            assertArrayEquals(solve(CpuBackend.get(), task, o), solve(new HostlessBackend(), task, o));
        }
    }

    /** create (frame selection, symmetries) → solve → validation and test predictions, on a dataset. */
    @Test
    void trainerEndToEndIsBitIdentical() {
        Trainer.Result cpu = trainer(CpuBackend.get()).run();
        Trainer.Result hostless = trainer(new HostlessBackend()).run();
        assertArrayEquals(cpu.model().alphasF().toDoubleArray(), hostless.model().alphasF().toDoubleArray());
        assertEquals(cpu.validation().forces(), hostless.validation().forces());
        assertEquals(cpu.validation().energy(), hostless.validation().energy());
        assertEquals(cpu.test().forces(), hostless.test().forces());
    }

    private static Trainer trainer(Backend be) {
        return Trainer.builder().dataset(TestData.dataset("rmd17_ethanol")).trainingFrames(25).validationFrames(20).testFrames(20).seed(3)
                .solve(SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withKRule("default", null, null)).backend(be).build();
    }

    /**
     * Host traffic per PCG iteration: the difference between 60 and 20 iterations of the same solve, per iteration, is a
     * few scalars (the fused reductions, norms), far below one vector of length n.
     */
    @ParameterizedTest
    @MethodSource("trafficCases")
    void hostTrafficPerIterationIsOrderK(PreconditionerKind kind, Precision precision) {
        try (Arena arena = Arena.ofShared()) {
            Task task = task(arena);
            long n = TrainingSet.of(task).size();
            int k = 60;
            long[] bytes = new long[2];
            long[] iterations = new long[2];
            long[] limits = {20, 60};
            for (int i = 0; i < 2; i++) {
                HostlessBackend be = new HostlessBackend();
                SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withPreconditioner(kind, k).withPrecision(precision)
                        .withRtol(1e-12).withGrowth(false).withAllowUnconverged(true).withMaxIter(limits[i]);
                TrainResult r = new TaskSolver(be, null).solve(task, o);
                assertEquals(SolveReport.Outcome.NOT_CONVERGED, r.report().outcome());
                bytes[i] = be.transferredBytes();
                iterations[i] = r.report().iterations();
            }
            double perIteration = (double) (bytes[1] - bytes[0]) / (iterations[1] - iterations[0]);
            System.out.printf("[hostless] %s %s: %.1f bytes of host traffic per PCG iteration (n = %d, k = %d)%n", kind.cliName(), precision,
                    perIteration, n, k);
            assertTrue(perIteration <= 8.0 * k, "per-iteration host traffic " + perIteration + " bytes exceeds 8k = " + 8 * k);
            assertTrue(perIteration < 0.05 * 8 * n, "per-iteration host traffic " + perIteration + " bytes is O(n)");
        }
    }

    static List<Arguments> trafficCases() {
        return List.of(Arguments.of(PreconditionerKind.LEVERAGE, Precision.FP64), Arguments.of(PreconditionerKind.CHOLESKY, Precision.FP32),
                Arguments.of(PreconditionerKind.BLOCK_JACOBI, Precision.FP64), Arguments.of(PreconditionerKind.ATOM_JACOBI, Precision.FP64));
    }
}
