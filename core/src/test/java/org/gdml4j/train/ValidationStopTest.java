package org.gdml4j.train;

import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.solve.SolveReport;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The accuracy-aware stop (--stop validation, the default of train): on aspirin M = 60 with a small uniform
 * preconditioner (k = 300, thousands of iterations to rtol 1e-4) it ends CG well before rtol, says why, and the
 * model's force MAE on 300 unseen test frames is within 0.5 % of the model CG reaches at rtol (issue #16's rule for
 * a new default). Same frames, seed and preconditioner in both runs; only the stop differs (both at the task's λ: the λ
 * path, the default, is {@link LambdaPathTest}'s).
 */
class ValidationStopTest {
    private static Trainer.Result train(SolveOptions.Stop stop) {
        SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withPreconditioner(PreconditionerKind.UNIFORM, 300)
                .withGrowth(false).withStop(stop).withLambda(SolveOptions.LambdaRule.TASK);
        return Trainer.builder().dataset(TestData.dataset("rmd17_aspirin")).trainingFrames(60).validationFrames(200).testFrames(300)
                .seed(4).solve(o).backend(CpuBackend.get()).build().run();
    }

    @Test
    void stopsWhenTheValidationErrorSettlesAtTheSameTestAccuracy() {
        Trainer.Result rtol = train(SolveOptions.Stop.RTOL);
        Trainer.Result settled = train(SolveOptions.Stop.AUTO);
        SolveReport a = rtol.report();
        SolveReport b = settled.report();
        assertEquals(SolveReport.Outcome.CONVERGED, a.outcome());
        assertEquals(SolveReport.Outcome.CONVERGED, b.outcome());
        assertTrue(a.trueResidual() <= 1e-4, "rtol run: " + a.trueResidual());
        assertTrue(b.events().stream().anyMatch(e -> e.contains("validation force MAE settled")), b.events().toString());
        assertTrue(b.iterations() < 0.9 * a.iterations(), b.iterations() + " vs " + a.iterations() + " iterations");
        double maeRtol = rtol.test().forces().mae();
        double maeSettled = settled.test().forces().mae();
        System.out.printf("[validation stop] %d vs %d iterations; test force MAE %.5f vs %.5f (%+.3f %%)%n", b.iterations(), a.iterations(),
                maeSettled, maeRtol, 100 * (maeSettled - maeRtol) / maeRtol);
        assertTrue(Math.abs(maeSettled - maeRtol) <= 0.005 * maeRtol, "test force MAE " + maeSettled + " vs " + maeRtol + " at rtol");
    }

    @Test
    void theValidationStopNeedsValidationFrames() {
        SolveOptions o = SolveOptions.defaults().withStop(SolveOptions.Stop.VALIDATION).withMethod(TaskSolver.Method.PCG);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            org.gdml4j.io.Task task = org.gdml4j.io.Task.load(TestData.fixture("ethanol-sym-m30", "task.npz"), arena);
            TaskSolver solver = new TaskSolver(CpuBackend.get(), null);
            org.gdml4j.error.InvalidInputException e = assertThrows(org.gdml4j.error.InvalidInputException.class, () -> solver.plan(task, o));
            assertTrue(e.getMessage().contains("--stop validation"), e.getMessage());
        }
    }
}
