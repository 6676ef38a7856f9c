package org.gdml4j.precond;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.stream.Stream;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Pcg;
import org.gdml4j.solve.Preconditioner;
import org.gdml4j.solve.Progress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PreconditionerBuilder#rebuild}: a preconditioner made again from its {@link PreconditionerBuilder.Recipe} (what a
 * PCG checkpoint keeps) applies with exactly the bits of the original, after any number of growths, in both precisions.
 * A resumed solve depends on it to end with the bits of an uninterrupted one.
 */
class PreconditionerRebuildTest {
    private final Backend be = CpuBackend.get();

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (PreconditionerKind kind : new PreconditionerKind[] {PreconditionerKind.UNIFORM, PreconditionerKind.LEVERAGE,
                PreconditionerKind.CHOLESKY, PreconditionerKind.EIGEN, PreconditionerKind.RANK_K_LEVERAGE}) {
            for (Precision p : Precision.values()) {
                for (int growths : new int[] {0, 2}) {
                    s.add(Arguments.of(kind, p, growths));
                }
            }
        }
        return s.build();
    }

    @ParameterizedTest(name = "{0} {1}, {2} growths")
    @MethodSource("cases")
    void aRebuiltPreconditionerAppliesWithTheSameBits(PreconditionerKind kind, Precision precision, int growths) {
        int n = 240;
        double lambda = 1e-6;
        try (Workspace ws = Workspace.shared()) {
            ColumnSource src = DenseColumns.of(be, ws, n, new Random(11));
            PreconditionerBuilder.Recipe[] recipe = new PreconditionerBuilder.Recipe[1];
            Preconditioner original;
            try (PreconditionerBuilder first = new PreconditionerBuilder(be, src, lambda, 5, Progress.NONE, precision)) {
                PreconditionerBuilder.Built b = first.build(kind, 20);
                recipe[0] = new PreconditionerBuilder.Recipe(kind, precision, 20, 0, b.inducing());
                Pcg.Grower g = first.grower(kind, grown -> recipe[0] = recipe[0].grown(grown.inducing()));
                original = b.preconditioner();
                for (int i = 0; i < growths; i++) {
                    original = g.grow(original);
                }
            }
            try (PreconditionerBuilder second = new PreconditionerBuilder(be, src, lambda, 5, Progress.NONE, precision);
                    Preconditioner o = original;
                    Preconditioner again = second.rebuild(recipe[0]).preconditioner()) {
                assertEquals(o.rank(), again.rank());
                Vector v = ws.vector(n, "v");
                Random rnd = new Random(3);
                for (int i = 0; i < n; i++) {
                    v.set(i, rnd.nextGaussian());
                }
                Vector x1 = ws.vector(n, "x1");
                Vector x2 = ws.vector(n, "x2");
                o.apply(v, x1);
                again.apply(v, x2);
                double[] a1 = new double[n];
                double[] a2 = new double[n];
                for (int i = 0; i < n; i++) {
                    a1[i] = x1.get(i);
                    a2[i] = x2.get(i);
                }
                assertArrayEquals(a1, a2, kind + " " + precision + " after " + growths + " growths"); // exact: no tolerance
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aRecipeWhoseColumnsDoNotComeOutIsRefused(PreconditionerKind kind, Precision precision, int growths) {
        if (kind.sampled() || growths > 0 || precision == Precision.FP32) {
            return; // one check per deterministic kind is enough; sampled kinds take the columns as given
        }
        int n = 240;
        try (Workspace ws = Workspace.shared();
                PreconditionerBuilder b = new PreconditionerBuilder(be, DenseColumns.of(be, ws, n, new Random(11)), 1e-6, 5, Progress.NONE,
                        precision)) {
            long[] wrong = kind == PreconditionerKind.EIGEN ? new long[] {1} : new long[] {0, 1, 2};
            assertThrows(IllegalStateException.class, () -> b.rebuild(new PreconditionerBuilder.Recipe(kind, precision, 20, 0, wrong)));
        }
    }
}
