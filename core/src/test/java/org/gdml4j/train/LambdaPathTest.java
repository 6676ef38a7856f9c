package org.gdml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.solve.SolveReport;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;

/**
 * {@link LambdaPath} ({@code --lambda auto}, the default wherever the validation stop is on): the decades it visits,
 * and on aspirin M = 60 (uniform k = 300, no growth: thousands of iterations to rtol 1e-4 at λ = 1e-10) that it walks
 * down from 1e-5, records the λ it kept in the model, needs fewer iterations than the rtol solve of the task's λ, and
 * gives a model no worse on 300 unseen test frames than 0.5 % (issue #16's rule for a new default). Same frames, seed
 * and preconditioner in both runs.
 */
class LambdaPathTest {
    @Test
    void theGridRunsInDecadesAboveTheTasksLambda() {
        assertEquals(List.of(1e-5, 1e-6, 1e-7, 1e-8, 1e-9), LambdaPath.grid(1e-10), "sGDML's default lambda");
        assertEquals(List.of(1e-5, 1e-6), LambdaPath.grid(3e-7), "a task lambda between decades is the floor");
        assertEquals(List.of(1e-5, 1e-6), LambdaPath.grid(1e-7), "a decade equal to the task's is the task's own solve");
        assertEquals(List.of(), LambdaPath.grid(1e-5), "nothing above a large task lambda");
        assertEquals(List.of(), LambdaPath.grid(1e-3));
    }

    private static Trainer.Result train(SolveOptions.Stop stop, SolveOptions.LambdaRule lambda) {
        SolveOptions o = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG).withPreconditioner(PreconditionerKind.UNIFORM, 300)
                .withGrowth(false).withStop(stop).withLambda(lambda);
        return Trainer.builder().dataset(TestData.dataset("rmd17_aspirin")).trainingFrames(60).validationFrames(200).testFrames(300)
                .seed(4).solve(o).backend(CpuBackend.get()).build().run();
    }

    @Test
    void choosesLambdaOnValidationWithoutLosingTestAccuracy() {
        Trainer.Result rtol = train(SolveOptions.Stop.RTOL, SolveOptions.LambdaRule.TASK);
        Trainer.Result path = train(SolveOptions.Stop.AUTO, SolveOptions.LambdaRule.AUTO);
        SolveReport a = rtol.report();
        SolveReport b = path.report();
        assertEquals(SolveReport.Outcome.CONVERGED, b.outcome());
        assertTrue(b.events().stream().anyMatch(e -> e.startsWith("lambda 1e-05: ")), b.events().toString());
        double lam = path.model().lam();
        assertTrue(lam == 1e-10 || LambdaPath.grid(1e-10).contains(lam), "model lambda " + lam);
        assertEquals(lam, ((Number) b.facts().getOrDefault("lambda", 1e-10)).doubleValue(), "the report's lambda and the model's");
        assertEquals(1e-10, rtol.model().lam(), "--lambda task keeps the task's");
        assertTrue(b.iterations() < a.iterations(), b.iterations() + " vs " + a.iterations() + " iterations");
        double maeRtol = rtol.test().forces().mae();
        double maePath = path.test().forces().mae();
        System.out.printf("[lambda path] kept %.0e; %d vs %d iterations; test force MAE %.5f vs %.5f (%+.3f %%)%n", lam, b.iterations(),
                a.iterations(), maePath, maeRtol, 100 * (maePath - maeRtol) / maeRtol);
        assertTrue(maePath <= 1.005 * maeRtol, "test force MAE " + maePath + " vs " + maeRtol + " at the task's lambda");
    }
}
