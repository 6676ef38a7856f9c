package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.util.List;

import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpzReader;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Predictions of the reference's own model files equal the reference's predictions (to 1e-9 relative). */
class PredictorFixtureTest {
    static List<String> cases() {
        return TestData.fixtureCases();
    }

    static double relative(double[] ours, NpyArray ref) {
        double err = 0;
        double norm = 0;
        for (int i = 0; i < ours.length; i++) {
            double r = ref.getDouble(i);
            err += (ours[i] - r) * (ours[i] - r);
            norm += r * r;
        }
        return Math.sqrt(err / norm);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void referenceModelPredictsLikeTheReference(String fixture) {
        try (Arena arena = Arena.ofShared(); NpzReader pred = NpzReader.open(TestData.fixture(fixture, "predictions.npz"))) {
            Model model = Model.load(TestData.fixture(fixture, "model.npz"), arena);
            NpyArray r = pred.read("R", arena).asDoubles(arena);
            NpyArray e = pred.read("E", arena).asDoubles(arena);
            NpyArray f = pred.read("F", arena).asDoubles(arena);
            try (Predictor p = Predictor.of(CpuBackend.get(), model)) {
                Predictions out = p.predict(r.data(), (int) r.dim(0));
                double relE = relative(out.energies(), e);
                double relF = relative(out.forces(), f);
                System.out.printf("[predict] %s: relative error E %.2e, F %.2e%n", fixture, relE, relF);
                assertTrue(relE < 1e-9, fixture + ": energies off by " + relE);
                assertTrue(relF < 1e-9, fixture + ": forces off by " + relF);
            }
        }
    }
}
