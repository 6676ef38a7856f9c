package org.gdml4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;

import org.gdml4j.io.Task;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.testsupport.CudaShapedBackend;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole pipeline within the CUDA backend's limits, on any machine ({@link CudaShapedBackend}): no operation the CUDA
 * backend lacks is used, the kernel operator is the staged one a GPU gets today, predictions fall back to the CPU, and
 * the results are the CPU backend's bits (the same operations in the same order).
 */
class CudaShapedPipelineTest {
    private static final String FIXTURE = "ethanol-sym-m30";

    private static double[] solve(Backend be, Task task, SolveOptions o) {
        return new TaskSolver(be, null).solve(task, o).model().alphasF().toDoubleArray();
    }

    /** The limits are live: what the CUDA backend refuses, this one refuses, and it offers no host views. */
    @Test
    void theShapedBackendRefusesWhatTheCudaBackendLacks() {
        Backend be = CudaShapedBackend.create();
        assertTrue(be.hostCompute().isEmpty());
        try (Workspace ws = be.workspace()) {
            Vector x = ws.vector(4, Precision.FP32, "x");
            assertThrows(UnsupportedOperationException.class, () -> be.dot(x, x));
            assertThrows(UnsupportedOperationException.class, () -> be.sum(x));
            Matrix a = ws.matrix(2, 2, "a");
            assertThrows(UnsupportedOperationException.class, () -> be.pstrf(Backend.Uplo.LOWER, a, 0.0));
            assertEquals(0.0, be.sum(ws.vector(3, "y")), "FP64 passes through");
        }
    }

    @Test
    void closedFormGivesTheCpuBits() {
        try (Arena arena = Arena.ofShared()) {
            Task task = Task.load(TestData.fixture(FIXTURE, "task.npz"), arena);
            SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.CLOSED_FORM);
            assertArrayEquals(solve(CpuBackend.get(), task, o), solve(CudaShapedBackend.create(), task, o));
        }
    }

    @ParameterizedTest
    @MethodSource("org.gdml4j.train.HostlessPipelineTest#pcgCases")
    void pcgGivesTheCpuBits(PreconditionerKind kind, Precision precision) {
        try (Arena arena = Arena.ofShared()) {
            Task task = Task.load(TestData.fixture(FIXTURE, "task.npz"), arena);
            SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withPreconditioner(kind, kind.lowRank() ? 60 : null)
                    .withPrecision(precision).withAllowUnconverged(true).withMaxIter(2000L);
            assertArrayEquals(solve(CpuBackend.get(), task, o), solve(CudaShapedBackend.create(), task, o), kind.cliName() + " " + precision);
        }
    }

    @ParameterizedTest
    @MethodSource("org.gdml4j.train.HostlessPipelineTest#growthCases")
    void growthGivesTheCpuBits(PreconditionerKind kind, Precision precision) {
        try (Arena arena = Arena.ofShared()) {
            Task task = Task.load(TestData.fixture(FIXTURE, "task.npz"), arena);
            SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withPreconditioner(kind, 4).withPrecision(precision)
                    .withGrowth(true).withAllowUnconverged(true).withMaxIter(3000L);
            assertArrayEquals(solve(CpuBackend.get(), task, o), solve(CudaShapedBackend.create(), task, o), kind.cliName() + " " + precision);
        }
    }

    /** create → solve → validation and test predictions (the predictor runs on the CPU for such a backend). */
    @Test
    void trainerEndToEndGivesTheCpuBits() {
        Trainer.Result cpu = trainer(CpuBackend.get()).run();
        Trainer.Result shaped = trainer(CudaShapedBackend.create()).run();
        assertArrayEquals(cpu.model().alphasF().toDoubleArray(), shaped.model().alphasF().toDoubleArray());
        assertEquals(cpu.validation().forces(), shaped.validation().forces());
        assertEquals(cpu.test().forces(), shaped.test().forces());
    }

    private static Trainer trainer(Backend be) {
        return Trainer.builder().dataset(TestData.dataset("rmd17_ethanol")).trainingFrames(25).validationFrames(20).testFrames(20).seed(3)
                .solve(SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withKRule("default", null, null)).backend(be).build();
    }
}
