package org.gdml4j.solve;

import java.util.Random;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.InsufficientMemoryException;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClosedFormTest {
    private final Backend be = CpuBackend.get();

    /** A = Q diag(ev) Qᵀ with a random orthogonal Q. */
    static Matrix withEigenvalues(Workspace ws, double[] ev, long seed) {
        int n = ev.length;
        Random rnd = new Random(seed);
        Matrix q = ws.matrix(n, n, "Q");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q.set(i, j, rnd.nextGaussian());
            }
        }
        Vector tau = ws.vector(n, "tau");
        CpuBackend.get().geqrf(q, tau);
        CpuBackend.get().orgqr(q, tau);
        Matrix qd = ws.matrix(n, n, "QD");
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                qd.set(i, j, q.get(i, j) * ev[j]);
            }
        }
        Matrix a = ws.matrix(n, n, "A");
        CpuBackend.get().gemm(Trans.NO, Trans.YES, 1, qd, q, 0, a);
        for (int j = 0; j < n; j++) {
            for (int i = j + 1; i < n; i++) {
                a.set(i, j, a.get(j, i)); // exactly symmetric
            }
        }
        return a;
    }

    @Test
    void solvesAWellConditionedSystemAcrossSeveralBlocks() {
        try (Workspace ws = Workspace.shared()) {
            int n = 700; // several 256-wide blocks of the blocked factorisation
            double[] ev = new double[n];
            for (int i = 0; i < n; i++) {
                ev[i] = 1 + i;
            }
            Matrix a = withEigenvalues(ws, ev, 1);
            Vector y = ws.vector(n, "y");
            Random rnd = new Random(2);
            for (int i = 0; i < n; i++) {
                y.set(i, rnd.nextGaussian());
            }
            Vector x = ws.vector(n, "x");
            SolveReport r = new ClosedForm(be, null).solve(new DenseOperator(a), 0.5, y, x);
            assertEquals(SolveReport.Outcome.CONVERGED, r.outcome());
            assertEquals(0.0, r.finalJitter());
            assertTrue(r.trueResidual() < 1e-13, "residual " + r.trueResidual());
            // independent check of the residual
            Vector res = ws.vector(n, "res");
            be.copy(y, res);
            be.gemv(Trans.NO, -1, a, x, 1, res);
            be.axpy(-0.5, x, res);
            assertTrue(be.nrm2(res) / be.nrm2(y) < 1e-13);
            assertTrue(r.seconds().containsKey("assembly") && r.seconds().containsKey("factorisation"));
        }
    }

    @Test
    void aFailedFactorisationIsRetriedWithJitterAfterRestoringTheMatrix() {
        try (Workspace ws = Workspace.shared()) {
            int n = 300;
            double[] ev = new double[n];
            for (int i = 0; i < n; i++) {
                ev[i] = 1 + i % 17;
            }
            ev[n / 2] = -1e-11; // slightly indefinite: Cholesky of A + 0·I must fail
            Matrix a = withEigenvalues(ws, ev, 3);
            Vector y = ws.vector(n, "y");
            be.fill(y, 1.0);
            Vector x = ws.vector(n, "x");
            SolveReport r = new ClosedForm(be, null).solve(new DenseOperator(a), 0.0, y, x);
            assertEquals(SolveReport.Outcome.CONVERGED, r.outcome());
            assertTrue(r.finalJitter() > 0);
            assertFalse(r.events().isEmpty());
            assertTrue(r.events().get(0).startsWith("Cholesky failed at column"), r.events().get(0));
            // x solves (A + jitter I) x = y, which proves the lower triangle was restored before the retry
            Vector res = ws.vector(n, "res");
            be.copy(y, res);
            be.gemv(Trans.NO, -1, a, x, 1, res);
            be.axpy(-r.finalJitter(), x, res);
            assertTrue(be.nrm2(res) / be.nrm2(y) < 1e-6, "residual " + be.nrm2(res) / be.nrm2(y));
        }
    }

    @Test
    void refusesUpFrontWhenTheMatrixDoesNotFit() {
        LinearOperator huge = new LinearOperator() {
            @Override
            public long size() {
                return 2_000_000; // 32 TB
            }

            @Override
            public void apply(Vector x, Vector y) {
                throw new AssertionError("must not run");
            }
        };
        try (Workspace ws = Workspace.confined()) {
            Vector v = org.gdml4j.linalg.Vector.wrap(java.lang.foreign.MemorySegment.NULL.reinterpret(16_000_000), 
                    org.gdml4j.linalg.Precision.FP64);
            long live = be.memory().liveBytes();
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> new ClosedForm(be, null).solve(huge, 1e-10, v, v));
            assertTrue(e.getMessage().contains("closed-form"), e.getMessage());
            assertEquals(live, be.memory().liveBytes());
        }
    }

    @Test
    void rejectsNegativeLambda() {
        try (Workspace ws = Workspace.confined()) {
            Matrix a = ws.matrix(2, 2, "a");
            Vector v = ws.vector(2, "v");
            assertThrows(IllegalArgumentException.class, () -> new ClosedForm(be, null).solve(new DenseOperator(a), -1, v, v));
        }
    }
}
