package org.gdml4j.kernel;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.util.List;

import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.Task;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Descriptors and the kernel matrix against the sGDML reference's own outputs (testdata/fixtures). */
class KernelFixtureTest {
    private final Backend be = CpuBackend.get();

    static List<String> allCases() {
        return TestData.fixtureCases();
    }

    /** The four cases with a reference kernel.npz (the -cg case has none). */
    static List<String> kernelCases() {
        return TestData.fixtureCases().stream().filter(c -> Files.exists(TestData.root().resolve("testdata/fixtures/" + c + "/kernel.npz")))
                .toList();
    }

    @Test
    void fourAnalyticCasesHaveKernels() {
        assertEquals(4, kernelCases().size(), kernelCases().toString());
    }

    @ParameterizedTest
    @MethodSource("allCases")
    void descriptorsEqualTheReference(String fixture) {
        try (Arena arena = Arena.ofConfined(); Workspace ws = Workspace.shared();
                NpzReader npz = NpzReader.open(TestData.fixture(fixture, "descriptors.npz"))) {
            NpyArray r = npz.read("R", arena).asDoubles(arena);
            NpyArray x = npz.read("x", arena).asDoubles(arena);
            NpyArray jac = npz.read("jacobian_compressed", arena).asDoubles(arena);
            int count = (int) r.dim(0);
            int atoms = (int) r.dim(1);
            Descriptors desc = Descriptors.compute(ws, r.data(), count, atoms);
            int dim = desc.dim();
            assertEquals(x.dim(1), dim);
            double errX = 0;
            double refX = 0;
            double errJ = 0;
            double refJ = 0;
            for (int i = 0; i < count; i++) {
                for (int k = 0; k < dim; k++) {
                    double e = x.getDouble((long) i * dim + k);
                    errX += sq(desc.x().get(k, i) - e);
                    refX += sq(e);
                    for (int t = 0; t < 3; t++) {
                        double ej = jac.getDouble(((long) i * dim + k) * 3 + t);
                        errJ += sq(desc.jacobian(i, k, t) - ej);
                        refJ += sq(ej);
                    }
                }
            }
            assertTrue(Math.sqrt(errX / refX) < 1e-12, fixture + ": descriptors off by " + Math.sqrt(errX / refX));
            assertTrue(Math.sqrt(errJ / refJ) < 1e-12, fixture + ": Jacobians off by " + Math.sqrt(errJ / refJ));
        }
    }

    /** Assembled K and the product/diagonal/columns against kernel.npz, to 1e-10 of max|K|. */
    @ParameterizedTest
    @MethodSource("kernelCases")
    void kernelEqualsTheReference(String fixture) {
        try (Arena arena = Arena.ofShared(); Workspace ws = Workspace.shared();
                NpzReader npz = NpzReader.open(TestData.fixture(fixture, "kernel.npz"))) {
            Task task = Task.load(TestData.fixture(fixture, "task.npz"), arena);
            NpyArray kRef = npz.read("K", arena).asDoubles(arena);
            Symmetries sym = Symmetries.of(task.perms(), task.z());
            try (GdmlKernel k = GdmlKernel.create(be, task.positions().data(), task.trainSize(), task.atoms(), sym, task.sig())) {
                int n = (int) k.size();
                assertEquals(kRef.dim(0), n);
                Matrix dense = ws.matrix(n, n, "K");
                k.assemble(dense, null);
                double maxK = 0;
                double maxErr = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double ref = kRef.getDouble((long) i * n + j);
                        maxK = Math.max(maxK, Math.abs(ref));
                        maxErr = Math.max(maxErr, Math.abs(dense.get(i, j) - ref));
                    }
                }
                assertTrue(maxErr <= 1e-10 * maxK, fixture + ": max |K - K_ref| = " + maxErr + " vs max|K| = " + maxK);
                Vector diag = ws.vector(n, "diag");
                k.diagonal(diag);
                Vector v = ws.vector(n, "v");
                Vector kv = ws.vector(n, "Kv");
                Vector ref = ws.vector(n, "ref");
                java.util.Random rnd = new java.util.Random(fixture.hashCode());
                for (int i = 0; i < n; i++) {
                    v.set(i, rnd.nextGaussian());
                    assertEquals(kRef.getDouble((long) i * n + i), diag.get(i), 1e-10 * maxK);
                }
                k.apply(v, kv);
                be.gemv(Backend.Trans.NO, 1, dense, v, 0, ref);
                be.axpy(-1, ref, kv);
                assertTrue(be.nrm2(kv) <= 1e-11 * be.nrm2(ref), fixture + ": product off by " + be.nrm2(kv) / be.nrm2(ref));
            }
        }
    }

    private static double sq(double v) {
        return v * v;
    }
}
