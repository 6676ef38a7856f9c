package org.gdml4j.e2e;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.SequencedMap;

import org.gdml4j.io.Dataset;
import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.io.NpzWriter;
import org.gdml4j.io.Task;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as a careful but unforgiving user meets it (issue #13): index files, parser errors and exit
 * codes, values that need an answer (too many threads, negative counts, contradicting options), inputs that
 * {@code create} must refuse instead of leaving them to {@code solve}, and a model without energies in
 * {@code predict}. Small datasets are cut from the shipped ethanol data and written to real files.
 */
class CliHygieneTest {
    @TempDir
    Path dir;

    private final Path model = TestData.fixture("ethanol-sym-m30", "model.npz");
    private final Path ethanol = TestData.dataset("rmd17_ethanol");

    // ---- @FILE index lists (picocli expanded them as argument files) ----

    @Test
    void indexFilesWorkAsSeparateArgumentAndWithEquals() throws Exception {
        Path data = tiny("ethanol", 200, 9, 1, true);
        Path idx = Files.writeString(dir.resolve("train.txt"), "3\n17\n42\n99\n150\n");
        for (List<String> form : List.of(List.of("--idxs-train", "@" + idx), List.of("--idxs-train=@" + idx))) {
            Path task = dir.resolve("task" + form.size() + ".npz");
            Cli.Result r = run(List.of("create", data.toString(), "--n-valid", "10", "-o", task.toString()), form);
            assertEquals(0, r.exit(), form + ": " + r.err());
            try (Arena arena = Arena.ofConfined()) {
                assertArrayEquals(new long[] {3, 17, 42, 99, 150}, Task.load(task, arena).idxsTrain(), form.toString());
            }
        }
        Cli.Result p = Cli.run("predict", model.toString(), ethanol.toString(), "--idxs", "@" + idx);
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().contains("predicted 5 frames"), p.out());
    }

    // ---- parser errors: one line and a hint, exit 2 ----

    @Test
    void parserErrorsAreOneLineAndAHint() {
        assertUsageError(Cli.run("solve", "task.npz", "-o", "m.npz", "--bogus"), "--bogus", "gdml4j solve");
        assertUsageError(Cli.run("solve"), "TASK.npz", "gdml4j solve");
        assertUsageError(Cli.run("create", ethanol.toString(), "-n", "abc"), "abc", "gdml4j create");
        assertUsageError(Cli.run("frobnicate"), "frobnicate", "gdml4j");
    }

    private static void assertUsageError(Cli.Result r, String named, String command) {
        System.out.println("[usage] " + r.err().strip().replace("\n", " | "));
        assertEquals(2, r.exit(), r.err());
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(2, lines.size(), "one error line and one hint, not the usage:\n" + r.err());
        assertTrue(lines.get(0).startsWith("gdml4j: error: ") && lines.get(0).contains(named), lines.get(0));
        assertTrue(lines.get(1).endsWith("try '" + command + " --help'"), lines.get(1));
        assertFalse(r.out().contains("Usage:"), r.out());
    }

    @Test
    void noArgumentsIsAUsageErrorWhileHelpAndVersionSucceed() {
        Cli.Result none = Cli.run();
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("Usage: gdml4j"), "usage goes to stderr: " + none.err());
        assertEquals("", none.out());
        Cli.Result help = Cli.run("--help");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().contains("Usage: gdml4j"), help.out());
        Cli.Result version = Cli.run("--version");
        assertEquals(0, version.exit(), version.err());
        assertTrue(version.out().startsWith("gdml4j "), version.out());
    }

    // ---- values that need an answer ----

    @Test
    void moreThreadsThanCoresAreCappedWithAWarning() {
        int cores = Runtime.getRuntime().availableProcessors();
        Cli.Result r = Cli.run("info", "--threads", "1000");
        assertEquals(0, r.exit(), r.err());
        List<String> warnings = r.err().lines().filter(l -> l.startsWith("gdml4j: warning: ")).toList();
        assertEquals(1, warnings.size(), r.err());
        assertTrue(warnings.getFirst().contains("1000") && warnings.getFirst().contains(Integer.toString(cores)), warnings.getFirst());
        assertTrue(r.out().contains("threads     " + cores + " "), "the cap is what is used: " + r.out());
    }

    @Test
    void negativeTestCountIsRefused() throws Exception {
        Path copy = Files.copy(model, dir.resolve("model.npz"));
        Cli.Result r = Cli.run("test", copy.toString(), ethanol.toString(), "-n", "-1", "--no-update");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.errorLine().contains("-n"), r.err());
        assertFalse(r.out().contains("MAE"), "no test may run: " + r.out());
        Path out = dir.resolve("trained.npz");
        Cli.Result t = Cli.run("train", ethanol.toString(), "-n", "20", "--n-test", "-1", "-o", out.toString());
        assertEquals(2, t.exit(), t.out() + t.err());
        assertTrue(t.errorLine().contains("--n-test"), t.err());
        assertFalse(Files.exists(out), "refused before training");
    }

    @Test
    void countAndExplicitFramesTogetherAreRefused() {
        Path data = tiny("ethanol", 200, 9, 1, true);
        for (String command : List.of("create", "train")) {
            Path out = dir.resolve(command + ".npz");
            Cli.Result r = Cli.run(command, data.toString(), "-n", "50", "--idxs-train", "0:5", "--n-valid", "10", "-o", out.toString());
            assertEquals(2, r.exit(), command + ": " + r.out() + r.err());
            assertTrue(r.errorLine().contains("-n") && r.errorLine().contains("--idxs-train"), r.err());
            assertFalse(Files.exists(out));
        }
    }

    // ---- inputs create must refuse (not solve, hours later) ----

    @Test
    void sigmaFarOutsideTheDescriptorDistancesIsRefusedAtCreate() {
        Path data = tiny("ethanol", 200, 9, 1, true);
        assertTrue(createRefused(data, "small", "-n", "20", "--sigma", "1e-300").contains("--sigma"));
        assertTrue(createRefused(data, "large", "-n", "20", "--sigma", "1e12").contains("--sigma"));
        Cli.Result train = Cli.run("train", data.toString(), "-n", "20", "--n-valid", "10", "--sigma", "1e-300",
                "-o", dir.resolve("never.npz").toString());
        assertEquals(2, train.exit(), train.err());
        assertTrue(train.errorLine().contains("--sigma") && !train.err().contains("Cholesky"), train.err());
        Cli.Result fine = Cli.run("create", data.toString(), "-n", "20", "--sigma", "20", "-o", dir.resolve("ok.npz").toString());
        assertEquals(0, fine.exit(), "an ordinary sigma passes: " + fine.err());
    }

    @Test
    void duplicateExplicitTrainingFramesAreRefusedAtCreate() {
        Path data = tiny("ethanol", 200, 9, 1, true);
        String e = createRefused(data, "twice", "--idxs-train", "0,1,2,3,3", "--n-valid", "10");
        assertTrue(e.contains("frame 3") && e.contains("twice"), e);
    }

    @Test
    void coordinatesTooLargeForInverseDistancesAreRefusedAtCreate() {
        Path data = tiny("ethanol-scaled", 200, 9, 1e200, true);
        String e = createRefused(data, "huge", "-n", "20");
        assertTrue(e.contains("apart") && e.contains("unit"), e);
    }

    @Test
    void aSingleAtomIsRefusedAtCreate() {
        String e = createRefused(tiny("carbon", 200, 1, 1, true), "one", "-n", "20");
        assertTrue(e.contains("atom"), e);
    }

    /** A diatomic has one descriptor (1/r) and trains: a Morse CO curve is learnt to a small fraction of its forces. */
    @Test
    void aDiatomicMoleculeTrains() {
        Path out = dir.resolve("co-model.npz");
        Cli.Result r = Cli.run("train", morseCo().toString(), "-n", "30", "--n-valid", "50", "--sigma", "1", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        try (Arena arena = Arena.ofConfined()) {
            double mae = Model.load(out, arena).fErr().get("mae");
            assertTrue(mae < 0.1, "validation force MAE " + mae + " kcal/mol/Ang on forces of up to ~200");
        }
    }

    private String createRefused(Path data, String name, String... options) {
        Path out = dir.resolve(name + "-task.npz");
        Cli.Result r = run(List.of("create", data.toString(), "-o", out.toString()), List.of(options));
        assertEquals(2, r.exit(), r.out() + r.err());
        assertFalse(Files.exists(out), "no task may be written");
        System.out.println("[refused] " + name + " -> " + r.errorLine());
        return r.errorLine();
    }

    // ---- predict with a model trained without energies ----

    @Test
    void predictSaysAModelWithoutEnergiesHasNoEnergyError() {
        Path noEnergies = tiny("ethanol-no-E", 200, 9, 1, false);
        Path task = dir.resolve("task.npz");
        Path trained = dir.resolve("no-E-model.npz");
        assertEquals(0, Cli.run("create", noEnergies.toString(), "-n", "10", "--n-valid", "10", "-o", task.toString()).exit());
        Cli.Result solve = Cli.run("solve", task.toString(), "-o", trained.toString());
        assertEquals(0, solve.exit(), solve.err());
        Cli.Result r = Cli.run("predict", trained.toString(), tiny("ethanol", 200, 9, 1, true).toString(), "--idxs", "0:50");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("energy  MAE"), r.out());
        assertTrue(r.out().contains("without energies") && r.out().contains("forces  MAE"), r.out());
    }

    // ---- fixtures ----

    private static Cli.Result run(List<String> args, List<String> more) {
        List<String> all = new java.util.ArrayList<>(args);
        all.addAll(more);
        return Cli.run(all.toArray(String[]::new));
    }

    /** The first {@code frames} frames and {@code atoms} atoms of rMD17 ethanol, coordinates times {@code scale}. */
    private Path tiny(String name, int frames, int atoms, double scale, boolean energies) {
        Path p = dir.resolve(name + "-" + frames + "x" + atoms + ".npz");
        try (Arena arena = Arena.ofConfined()) {
            Dataset d = Dataset.load(ethanol, arena);
            int n = d.atoms();
            double[] r = new double[frames * atoms * 3];
            double[] f = new double[r.length];
            for (int i = 0; i < frames; i++) {
                for (int c = 0; c < atoms * 3; c++) {
                    r[i * atoms * 3 + c] = d.positions().getDouble((long) i * n * 3 + c) * scale;
                    f[i * atoms * 3 + c] = d.forces().getDouble((long) i * n * 3 + c);
                }
            }
            long[] z = new long[atoms];
            for (int a = 0; a < atoms; a++) {
                z[a] = d.z()[a];
            }
            write(p, name, z, r, f, energies ? java.util.Arrays.copyOf(d.energies(), frames) : null);
        }
        return p;
    }

    /**
     * 300 frames of a CO-like Morse oscillator (D = 256 kcal/mol, a = 2.3/Å, r₀ = 1.128 Å) at bond lengths 1.0 to
     * 1.35 Å in random orientations: forces along the bond, equal and opposite, as a real diatomic has them.
     */
    private Path morseCo() {
        int frames = 300;
        Random rnd = new Random(1);
        double[] r = new double[frames * 6];
        double[] f = new double[frames * 6];
        double[] e = new double[frames];
        for (int i = 0; i < frames; i++) {
            double d = 1.0 + 0.35 * rnd.nextDouble();
            double[] u = {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
            double norm = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
            double x = Math.exp(-2.3 * (d - 1.128));
            e[i] = 256 * (1 - x) * (1 - x) - 1000;
            double dEdr = 2 * 256 * (1 - x) * 2.3 * x;
            for (int c = 0; c < 3; c++) {
                r[i * 6 + 3 + c] = d * u[c] / norm;
                f[i * 6 + 3 + c] = -dEdr * u[c] / norm;
                f[i * 6 + c] = dEdr * u[c] / norm;
            }
        }
        Path p = dir.resolve("morse-co.npz");
        write(p, "morse CO", new long[] {6, 8}, r, f, e);
        return p;
    }

    private static void write(Path p, String name, long[] z, double[] r, double[] f, double[] e) {
        int frames = r.length / (3 * z.length);
        SequencedMap<String, NpyArray> m = new LinkedHashMap<>();
        m.put("type", NpyArrays.ofString("d"));
        m.put("name", NpyArrays.ofString(name));
        m.put("z", NpyArrays.ofLongs(z));
        m.put("R", NpyArrays.ofDoubles(r, frames, z.length, 3));
        m.put("F", NpyArrays.ofDoubles(f, frames, z.length, 3));
        if (e != null) {
            m.put("E", NpyArrays.ofDoubles(e, frames));
        }
        m.put("r_unit", NpyArrays.ofString("Ang"));
        m.put("e_unit", NpyArrays.ofString("kcal/mol"));
        NpzWriter.write(p, m);
    }
}
