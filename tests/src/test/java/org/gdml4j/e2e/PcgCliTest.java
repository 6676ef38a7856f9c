package org.gdml4j.e2e;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import org.gdml4j.io.Model;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gdml4j solve --solver pcg}: CG model keys, warm start, unconverged runs, and the bad inputs of the PCG issue. */
class PcgCliTest {
    @TempDir
    Path dir;

    private final String task = TestData.fixture("ethanol-sym-m30", "task.npz").toString();

    @Test
    void pcgModelCarriesTheReferenceCgKeysAndOurs() {
        Path model = dir.resolve("cg.npz");
        Path log = dir.resolve("log.jsonl");
        Cli.Result r = Cli.run("solve", task, "-o", model.toString(), "--solver", "pcg", "--precond", "cholesky", "-k", "120",
                "--log-json", log.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("PCG, cholesky preconditioner, k = 120"), r.err());
        try (Arena arena = Arena.ofConfined()) {
            Model m = Model.load(model, arena);
            assertEquals("cg", m.solverName());
            Model.CgInfo cg = m.cgInfo().orElseThrow();
            assertTrue(cg.converged());
            assertEquals(1e-4, cg.tol());
            assertEquals(120, cg.inducingPtsIdxs().length);
            assertTrue(m.entries().get("gdml4j_converged").scalarBoolean());
            assertEquals("cholesky", m.entries().get("gdml4j_preconditioner").string());
            assertEquals(120, m.entries().get("gdml4j_k").scalarLong());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        try {
            String json = Files.readString(log);
            assertTrue(json.contains("\"event\":\"plan\"") && json.contains("\"residual_history\""), json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void warmStartFromAConvergedModelNeedsNoIterations() {
        Path first = dir.resolve("first.npz");
        assertEquals(0, Cli.run("solve", task, "-o", first.toString(), "--solver", "pcg", "-k", "100").exit());
        Path second = dir.resolve("second.npz");
        Cli.Result r = Cli.run("solve", task, "-o", second.toString(), "--solver", "pcg", "-k", "100", "--warm-start", first.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*iterations\\s+[0-2]\\s.*") || !r.out().contains("iterations"), r.out());
    }

    @Test
    void anUnconvergedModelNeedsTheFlagAndKeepsConsistentSigns() {
        Path refused = dir.resolve("refused.npz");
        Cli.Result no = Cli.run("solve", task, "-o", refused.toString(), "--solver", "pcg", "-k", "50", "--max-iter", "20");
        assertNotEquals(0, no.exit());
        assertTrue(no.errorLine().contains("did not reach"), no.err());
        assertFalse(Files.exists(refused));

        Path kept = dir.resolve("kept.npz");
        Cli.Result yes = Cli.run("solve", task, "-o", kept.toString(), "--solver", "pcg", "-k", "50", "--max-iter", "20",
                "--allow-unconverged");
        assertEquals(0, yes.exit(), yes.err());
        assertTrue(yes.err().contains("NOT converged"), yes.err());
        try (Arena arena = Arena.ofConfined()) {
            Model m = Model.load(kept, arena);
            Model exact = Model.load(TestData.fixture("ethanol-sym-m30", "model.npz"), arena);
            assertFalse(m.entries().get("gdml4j_converged").scalarBoolean());
            assertFalse(m.cgInfo().orElseThrow().converged());
            // the reference flips the sign on give-up; ours must point the same way as the exact solution
            double[] a = m.alphasF().toDoubleArray();
            double[] b = exact.alphasF().toDoubleArray();
            double dot = 0;
            for (int i = 0; i < a.length; i++) {
                dot += a[i] * b[i];
            }
            assertTrue(dot > 0, "unconverged coefficients anti-correlated with the exact ones");
        }
    }

    private void refused(String expected, String... extra) {
        Path model = dir.resolve("never.npz");
        String[] args = new String[4 + extra.length];
        args[0] = "solve";
        args[1] = task;
        args[2] = "-o";
        args[3] = model.toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        Cli.Result r = Cli.run(args);
        assertNotEquals(0, r.exit(), r.out());
        System.out.println("[refused] " + String.join(" ", extra) + " -> " + r.errorLine());
        assertTrue(r.errorLine().contains(expected), r.err());
        assertFalse(Files.exists(model));
    }

    @Test
    void badPcgParameters() {
        refused("-k", "--solver", "pcg", "-k", "0");
        refused("exceeds n", "--solver", "pcg", "-k", "811");
        refused("--rtol", "--solver", "pcg", "--rtol", "0");
        refused("--rtol", "--solver", "pcg", "--rtol", "-1e-4");
        refused("unknown preconditioner", "--solver", "pcg", "--precond", "magic");
        refused("needs", "--solver", "pcg", "--precond", "eigen", "-k", "100", "--max-memory", "2m");
    }
}
