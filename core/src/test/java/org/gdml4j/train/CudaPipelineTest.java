package org.gdml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.io.Task;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backends;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Precision;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.testsupport.Gpus;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pipeline on the CUDA backend against the CPU backend (issue #15's agreement targets), where a GPU is usable;
 * elsewhere every test is skipped with the reason printed. The operation order differs (cuBLAS, cuSOLVER, other
 * reductions), so results agree to a tolerance, not in bits: the closed form's coefficients to 1e-8 relative, PCG's
 * models' test errors to 1e-8 relative with an FP64 factor, and an FP32 factor within a few iterations of the FP64 one.
 */
class CudaPipelineTest {
    private static final String FIXTURE = "ethanol-sym-m30";

    @BeforeEach
    void gpu() {
        Gpus.assumeUsable("CudaPipelineTest");
    }

    private static Backend cuda() {
        return Backends.select("cuda:0");
    }

    private static double relativeDifference(double[] a, double[] b) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
            n += a[i] * a[i];
        }
        return Math.sqrt(d / n);
    }

    @Test
    void closedFormAgrees() {
        try (Arena arena = Arena.ofShared()) {
            Task task = Task.load(TestData.fixture(FIXTURE, "task.npz"), arena);
            SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.CLOSED_FORM);
            double[] cpu = new TaskSolver(CpuBackend.get(), null).solve(task, o).model().alphasF().toDoubleArray();
            double[] gpu = new TaskSolver(cuda(), null).solve(task, o).model().alphasF().toDoubleArray();
            double rel = relativeDifference(cpu, gpu);
            System.out.printf("[cuda] closed form: coefficients differ by %.2e relative%n", rel);
            assertTrue(rel <= 1e-8, "closed form coefficients differ by " + rel);
        }
    }

    static List<Arguments> kinds() {
        List<Arguments> out = new ArrayList<>();
        for (PreconditionerKind kind : PreconditionerKind.values()) {
            out.add(Arguments.of(kind));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void pcgModelsAgree(PreconditionerKind kind) {
        Trainer.Result cpu = trainer(CpuBackend.get(), kind, Precision.FP64).run();
        Trainer.Result gpu = trainer(cuda(), kind, Precision.FP64).run();
        double c = cpu.test().forces().mae();
        double g = gpu.test().forces().mae();
        System.out.printf("[cuda] %s FP64: test force MAE %.12f (cpu) vs %.12f (cuda), %d vs %d iterations%n", kind.cliName(), c, g,
                cpu.report().iterations(), gpu.report().iterations());
        assertEquals(c, g, 1e-8 * c, kind.cliName());
        if (kind.lowRank() && !kind.dense()) {
            Trainer.Result single = trainer(cuda(), kind, Precision.FP32).run();
            System.out.printf("[cuda] %s FP32: %d iterations (FP64: %d)%n", kind.cliName(), single.report().iterations(),
                    gpu.report().iterations());
            assertTrue(Math.abs(single.report().iterations() - gpu.report().iterations()) <= 3, "FP32 factor iterations");
        }
    }

    private static Trainer trainer(Backend be, PreconditionerKind kind, Precision precision) {
        return Trainer.builder().dataset(TestData.dataset("rmd17_ethanol")).trainingFrames(25).validationFrames(20).testFrames(20).seed(3)
                .solve(SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withPreconditioner(kind, kind.lowRank() ? 60 : null)
                        .withPrecision(precision))
                .backend(be).build();
    }
}
