package org.gdml4j.precond;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Preconditioner;
import org.gdml4j.solve.Progress;
import org.junit.jupiter.api.Test;

/**
 * Growing a pivoted-Cholesky preconditioner continues its greedy steps (the old columns are kept, represented by
 * Q U diag(s)) and must give what a fresh build of the larger size gives: the same pivots, the same K̂.
 */
class PivotedCholeskyTest {
    private final Backend be = CpuBackend.get();

    @Test
    void growingExtendsTheGreedyStepsAsAFreshBuildWould() {
        int n = 300;
        double lambda = 1e-6;
        try (Workspace ws = Workspace.shared()) {
            ColumnSource src = DenseColumns.of(be, ws, n, new Random(7));
            long[][] grownPivots = new long[1][];
            try (PreconditionerBuilder grown = new PreconditionerBuilder(be, src, lambda, 0, Progress.NONE);
                    PreconditionerBuilder fresh = new PreconditionerBuilder(be, src, lambda, 0, Progress.NONE)) {
                Preconditioner start = grown.build(PreconditionerKind.CHOLESKY, 30).preconditioner();
                Preconditioner bigger = grown.grower(PreconditionerKind.CHOLESKY, b -> grownPivots[0] = b.inducing()).grow(start);
                PreconditionerBuilder.Built direct = fresh.build(PreconditionerKind.CHOLESKY, 36);
                try (Preconditioner a = bigger; Preconditioner b = direct.preconditioner()) {
                    assertEquals(36, a.rank());
                    assertArrayEquals(direct.inducing(), grownPivots[0], "the extended greedy steps chose other pivots");
                    double[] sa = ((LowRankFactor) a).eigenvalues();
                    double[] sb = ((LowRankFactor) b).eigenvalues();
                    for (int i = 0; i < sa.length; i++) {
                        assertEquals(sb[i], sa[i], 1e-10 * sb[0], "eigenvalue " + i + " of K̂");
                    }
                    Vector v = ws.vector(n, "v");
                    Random rnd = new Random(3);
                    for (int i = 0; i < n; i++) {
                        v.set(i, rnd.nextGaussian());
                    }
                    Vector xa = ws.vector(n, "xa");
                    Vector xb = ws.vector(n, "xb");
                    a.apply(v, xa);
                    b.apply(v, xb);
                    be.axpy(-1.0, xb, xa);
                    double rel = be.nrm2(xa) / be.nrm2(xb);
                    assertTrue(rel < 1e-6, "P⁻¹v of the grown and the fresh factor differ by " + rel);
                }
            }
        }
    }
}
