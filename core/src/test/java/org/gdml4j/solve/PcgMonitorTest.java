package org.gdml4j.solve;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The accuracy-aware stop's hook in PCG: asked after every step, it ends the solve as converged; silent, it changes nothing. */
class PcgMonitorTest {
    private final Backend be = CpuBackend.get();

    private record Run(SolveReport report, double[] x, List<Long> asked) {
    }

    private Run solve(Workspace ws, Matrix a, Vector y, long stopAt) {
        long n = a.rows();
        Vector x = ws.vector(n, "x");
        List<Long> asked = new ArrayList<>();
        Pcg.Monitor m = (iterate, iterations, residual) -> {
            asked.add(iterations);
            assertTrue(residual > 0 && residual < 10, "relative residual " + residual);
            return iterations == stopAt ? "enough" : null;
        };
        SolveReport r = new Pcg(be, null, m).solve(new DenseOperator(a), 1e-3, y, x, Preconditioner.identity(be),
                Pcg.Options.defaults(n).withRtol(1e-10), null).report();
        double[] out = new double[(int) n];
        be.download(x, out);
        return new Run(r, out, asked);
    }

    @Test
    void aMonitorEndsTheSolveWhereItSaysAndOnlyThere() {
        try (Workspace ws = Workspace.shared()) {
            int n = 300;
            double[] ev = new double[n];
            for (int i = 0; i < n; i++) {
                ev[i] = Math.pow(10, -3.0 * i / n); // slow enough for CG to need many steps
            }
            Matrix a = ClosedFormTest.withEigenvalues(ws, ev, 5);
            Vector y = ws.vector(n, "y");
            Random rnd = new Random(6);
            for (int i = 0; i < n; i++) {
                y.set(i, rnd.nextGaussian());
            }
            Run silent = solve(ws, a, y, -1);
            assertEquals(SolveReport.Outcome.CONVERGED, silent.report().outcome());
            assertTrue(silent.report().iterations() > 40, silent.report().iterations() + " iterations");
            assertEquals(silent.report().iterations(), silent.asked().size(), "asked once after every step");

            double[] plain = new double[n];
            Vector x = ws.vector(n, "x plain");
            SolveReport r = new Pcg(be, null).solve(new DenseOperator(a), 1e-3, y, x, Preconditioner.identity(be),
                    Pcg.Options.defaults(n).withRtol(1e-10), null).report();
            be.download(x, plain);
            assertEquals(r.iterations(), silent.report().iterations());
            assertArrayEquals(plain, silent.x(), 0.0, "a silent monitor changes no bit");

            Run stopped = solve(ws, a, y, 17);
            assertEquals(SolveReport.Outcome.CONVERGED, stopped.report().outcome());
            assertEquals(17, stopped.report().iterations());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L), stopped.asked());
            assertTrue(stopped.report().events().stream().anyMatch(e -> e.contains("stopped at iteration 17") && e.contains("enough")),
                    stopped.report().events().toString());
            assertTrue(stopped.report().trueResidual() > 1e-10, "stopped before rtol: " + stopped.report().trueResidual());
        }
    }
}
