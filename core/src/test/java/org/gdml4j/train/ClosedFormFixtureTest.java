package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.util.List;

import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.Task;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.solve.SolveReport;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our closed-form model from each analytic fixture's task predicts the fixture's 50 frames like the reference
 * model (the coefficients are not unique at λ = 1e-10; the predictions are), and has the reference's keys,
 * dtypes and shapes.
 */
class ClosedFormFixtureTest {
    static List<String> analyticCases() {
        return TestData.fixtureCases().stream().filter(c -> Files.exists(TestData.root().resolve("testdata/fixtures/" + c + "/kernel.npz")))
                .toList();
    }

    @ParameterizedTest
    @MethodSource("analyticCases")
    void closedFormModelPredictsLikeTheReference(String fixture) {
        try (Arena arena = Arena.ofShared(); NpzReader pred = NpzReader.open(TestData.fixture(fixture, "predictions.npz"))) {
            Task task = Task.load(TestData.fixture(fixture, "task.npz"), arena);
            Model ref = Model.load(TestData.fixture(fixture, "model.npz"), arena);
            TrainResult result = new TaskSolver(CpuBackend.get(), null).solve(task, TaskSolver.Method.CLOSED_FORM);
            assertEquals(SolveReport.Outcome.CONVERGED, result.report().outcome());
            assertTrue(result.report().trueResidual() < 1e-6, "true residual " + result.report().trueResidual());
            Model ours = result.model();
            // same keys, dtypes and shapes as the reference model
            assertEquals(List.copyOf(ref.entries().keySet()), List.copyOf(ours.entries().keySet()));
            for (var e : ref.entries().entrySet()) {
                NpyArray mine = ours.entries().get(e.getKey());
                assertEquals(e.getValue().dtype(), mine.dtype(), fixture + ": dtype of " + e.getKey());
                assertArrayEquals(e.getValue().shape(), mine.shape(), fixture + ": shape of " + e.getKey());
                assertEquals(e.getValue().fortranOrder(), mine.fortranOrder(), fixture + ": order of " + e.getKey());
            }
            assertEquals(ref.std(), ours.std(), 1e-12 * ref.std());
            NpyArray r = pred.read("R", arena).asDoubles(arena);
            NpyArray e = pred.read("E", arena).asDoubles(arena);
            NpyArray f = pred.read("F", arena).asDoubles(arena);
            try (Predictor p = Predictor.of(CpuBackend.get(), ours)) {
                Predictions out = p.predict(r.data(), (int) r.dim(0));
                double relE = PredictorFixtureTest.relative(out.energies(), e);
                double relF = PredictorFixtureTest.relative(out.forces(), f);
                System.out.printf("[closed-form] %s: vs reference model E %.2e, F %.2e, c %.6f vs %.6f, residual %.1e%n", fixture,
                        relE, relF, ours.c(), ref.c(), result.report().trueResidual());
                assertTrue(relF < 1e-6, fixture + ": forces off by " + relF);
                assertTrue(relE < 1e-6, fixture + ": energies off by " + relE);
            }
        }
    }
}
