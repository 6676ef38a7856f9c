package org.gdml4j.precond;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleConsumer;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Preconditioner;
import org.gdml4j.solve.Progress;
import org.junit.jupiter.api.Test;

/**
 * Growing a pivoted-Cholesky preconditioner continues its greedy steps (the old columns are kept, represented by a
 * square root W diag(s) of the current factor) instead of starting over: from an FP64 factor it must give what a fresh
 * build of the larger size gives (the same pivots, the same K̂); from an FP32 factor it extends too (the old pivots
 * stay a prefix, only the new kernel columns are computed) and comes out in FP32 again.
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
                    double[] sa = ((LowRankPreconditioner) a).eigenvalues();
                    double[] sb = ((LowRankPreconditioner) b).eigenvalues();
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

    /**
     * FP32 cholesky grows by extending: through the builder's grower (the growth PCG uses) and through
     * {@link PivotedCholesky#extend} directly, the kernel is asked for the 6 new columns only (a rebuild would ask for
     * all 36), the 30 old pivots stay the first ones in their order, and the grown factor is FP32 again. Its K̂ is the
     * extension of the rounded factor, so it may differ from a fresh FP64 build by the rounding: P⁻¹v within 1e-4.
     */
    @Test
    void fp32GrowthExtendsInsteadOfRebuilding() {
        int n = 300;
        double lambda = 1e-6;
        try (Workspace ws = Workspace.shared()) {
            Counting src = new Counting(DenseColumns.of(be, ws, n, new Random(7)));
            PivotedCholesky.Built start = PivotedCholesky.build(be, src, 30, lambda, Progress.NONE, Precision.FP32);
            assertEquals(30, src.columns);
            assertTrue(start.factor().describe().contains("(fp32"), start.factor().describe());
            PivotedCholesky.Built grown = PivotedCholesky.extend(be, src, start.factor(), start.pivots(), 36, lambda, Progress.NONE,
                    Precision.FP32);
            assertEquals(36, src.columns, "kernel columns: only the 6 new ones may be computed");
            assertArrayEquals(start.pivots(), java.util.Arrays.copyOf(grown.pivots(), 30), "the old pivots are not a prefix");
            assertTrue(grown.factor().describe().contains("k = 36 (fp32"), grown.factor().describe());

            src.columns = 0;
            long[][] grownColumns = new long[1][];
            try (PreconditionerBuilder builder = new PreconditionerBuilder(be, src, lambda, 0, Progress.NONE, Precision.FP32);
                    PreconditionerBuilder fresh = new PreconditionerBuilder(be, src, lambda, 0, Progress.NONE, Precision.FP64)) {
                PreconditionerBuilder.Built b = builder.build(PreconditionerKind.CHOLESKY, 30);
                Preconditioner bigger = builder.grower(PreconditionerKind.CHOLESKY, g -> grownColumns[0] = g.inducing())
                        .grow(b.preconditioner());
                assertEquals(36, src.columns, "the builder's growth rebuilt instead of extending");
                java.util.Set<Long> kept = new java.util.HashSet<>();
                for (long c : grownColumns[0]) {
                    kept.add(c);
                }
                for (long c : b.inducing()) {
                    assertTrue(kept.contains(c), "pivot " + c + " was dropped");
                }
                try (Preconditioner a = bigger; Preconditioner direct = grown.factor();
                        Preconditioner ref = fresh.build(PreconditionerKind.CHOLESKY, 36).preconditioner()) {
                    Vector v = ws.vector(n, "v");
                    Random rnd = new Random(3);
                    for (int i = 0; i < n; i++) {
                        v.set(i, rnd.nextGaussian());
                    }
                    Vector xa = ws.vector(n, "xa");
                    Vector xd = ws.vector(n, "xd");
                    Vector xr = ws.vector(n, "xr");
                    a.apply(v, xa);
                    direct.apply(v, xd);
                    ref.apply(v, xr);
                    be.axpy(-1.0, xa, xd);
                    assertEquals(0.0, be.nrm2(xd), "the builder's growth and extend differ");
                    be.axpy(-1.0, xr, xa);
                    double rel = be.nrm2(xa) / be.nrm2(xr);
                    System.out.printf("[cholesky fp32 growth] P⁻¹v of the extended FP32 factor vs a fresh FP64 build: %.1e%n", rel);
                    assertTrue(rel < 1e-4, "the extended FP32 factor is far from a fresh build: " + rel);
                }
            }
        }
    }

    /** Counts the kernel columns asked for. */
    private static final class Counting implements ColumnSource {
        private final ColumnSource src;
        long columns;

        Counting(ColumnSource src) {
            this.src = src;
        }

        @Override
        public long size() {
            return src.size();
        }

        @Override
        public int blockSize() {
            return src.blockSize();
        }

        @Override
        public void columns(long[] indices, Matrix view) {
            columns += indices.length;
            src.columns(indices, view);
        }

        @Override
        public void diagonal(Vector out) {
            src.diagonal(out);
        }

        @Override
        public void diagonalBlock(int molecule, Matrix out) {
            src.diagonalBlock(molecule, out);
        }

        @Override
        public void assemble(Matrix view, DoubleConsumer progress) {
            src.assemble(view, progress);
        }
    }
}
