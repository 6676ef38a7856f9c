package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.Task;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.solve.SolveReport;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PCG models against closed-form models on the analytic fixtures, for the four column-based preconditioners: at
 * rtol 1e-8 the predictions agree to 1e-6 relative; at the default rtol the force MAE on the fixture's 50 frames
 * is within 1 % of the closed form's; the reported true residual meets the tolerance.
 */
class PcgFixtureTest {
    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String f : ClosedFormFixtureTest.analyticCases()) {
            for (String p : List.of("uniform", "leverage", "cholesky", "eigen")) {
                out.add(Arguments.of(f, p));
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void pcgModelsMatchTheClosedForm(String fixture, String precond) {
        try (Arena arena = Arena.ofShared(); NpzReader pred = NpzReader.open(TestData.fixture(fixture, "predictions.npz"))) {
            Task task = Task.load(TestData.fixture(fixture, "task.npz"), arena);
            NpyArray r = pred.read("R", arena).asDoubles(arena);
            NpyArray fRef = pred.read("F_ref", arena).asDoubles(arena);
            int frames = (int) r.dim(0);
            TaskSolver solver = new TaskSolver(CpuBackend.get(), null);
            Predictions closed = predict(solver.solve(task, TaskSolver.Method.CLOSED_FORM).model(), r, frames);
            SolveOptions base = SolveOptions.defaults().withMethod(TaskSolver.Method.PCG)
                    .withPreconditioner(PreconditionerKind.parse(precond), null);

            TrainResult tight = solver.solve(task, base.withRtol(1e-8));
            assertEquals(SolveReport.Outcome.CONVERGED, tight.report().outcome());
            assertTrue(tight.report().trueResidual() <= 1e-8, "true residual " + tight.report().trueResidual());
            Predictions p8 = predict(tight.model(), r, frames);
            double rel = relative(p8.forces(), closed.forces());
            assertTrue(rel < 1e-6, fixture + "/" + precond + ": rtol 1e-8 model differs from the closed form by " + rel);

            TrainResult loose = solver.solve(task, base);
            assertEquals(SolveReport.Outcome.CONVERGED, loose.report().outcome());
            assertTrue(loose.report().trueResidual() <= 1e-4, "true residual " + loose.report().trueResidual());
            assertEquals("cg", loose.model().solverName());
            assertTrue(loose.model().cgInfo().orElseThrow().converged());
            double maeClosed = ErrorStats.of(closed.forces(), fRef.data()).mae();
            double maePcg = ErrorStats.of(predict(loose.model(), r, frames).forces(), fRef.data()).mae();
            System.out.printf("[pcg] %s %s: %d its (rtol 1e-4), %d its (1e-8); MAE %.5f vs closed form %.5f; rel 1e-8 %.1e%n", fixture,
                    precond, loose.report().iterations(), tight.report().iterations(), maePcg, maeClosed, rel);
            assertTrue(Math.abs(maePcg - maeClosed) <= 0.01 * maeClosed, "force MAE " + maePcg + " vs closed form " + maeClosed);
        }
    }

    private static Predictions predict(Model m, NpyArray r, int frames) {
        try (Predictor p = Predictor.of(CpuBackend.get(), m)) {
            return p.predict(r.data(), frames);
        }
    }

    static double relative(double[] a, double[] ref) {
        double e = 0;
        double nn = 0;
        for (int i = 0; i < a.length; i++) {
            e += (a[i] - ref[i]) * (a[i] - ref[i]);
            nn += ref[i] * ref[i];
        }
        return Math.sqrt(e / nn);
    }
}
