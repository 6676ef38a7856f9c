package org.gdml4j.perf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.gdml4j.io.Dataset;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.Task;

/**
 * The real data the benchmarks run on: rMD17 datasets from {@code data/} and the reference's symmetry groups from
 * {@code testdata/fixtures/} (aspirin: 6 permutations). Training frames are the first M of the official rMD17
 * training split 1, test frames its test split 1 (disjoint). The repository root is found upwards from the working
 * directory, or given with {@code -Dgdml4j.repo=PATH}.
 */
public final class PerfData {
    private PerfData() {
    }

    /** The system property that picks the device of every benchmark, as gdml4j's {@code --device} does (default cpu). */
    public static final String DEVICE_PROPERTY = "gdml4j.device";

    /** The device the benchmarks run on: {@code -Dgdml4j.device=NAME}, default {@code cpu}, as given (checked by {@link #backend}). */
    public static String device() {
        return System.getProperty(DEVICE_PROPERTY, org.gdml4j.linalg.Backends.DEFAULT_DEVICE);
    }

    /** The backend of {@link #device()}, chosen where gdml4j chooses every backend ({@code Backends.select}). */
    public static org.gdml4j.linalg.Backend backend() {
        return org.gdml4j.linalg.Backends.select(device(), "-D" + DEVICE_PROPERTY);
    }

    public static Path repo() {
        String prop = System.getProperty("gdml4j.repo");
        if (prop != null) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data")) && Files.isDirectory(p.resolve("testdata/fixtures"))) {
                return p;
            }
        }
        throw new IllegalStateException("run from inside the gdml4j repository or pass -Dgdml4j.repo=PATH");
    }

    public static Dataset dataset(String molecule, Arena arena) {
        return Dataset.load(datasetPath(molecule), arena);
    }

    /**
     * {@code data/rmd17_<molecule>.npz}; molecules the repository does not ship (uracil, toluene, ...) are looked up
     * in {@code ../shared/data} beside the checkout, where the development machines have all of rMD17.
     */
    public static Path datasetPath(String molecule) {
        Path p = repo().resolve("data/rmd17_" + molecule + ".npz");
        if (Files.exists(p)) {
            return p;
        }
        Path shared = repo().resolveSibling("shared").resolve("data/rmd17_" + molecule + ".npz");
        if (Files.exists(shared)) {
            return shared;
        }
        throw new IllegalStateException("no dataset for " + molecule + " in data/ or ../shared/data/");
    }

    /** The reference's permutation group for a molecule with a fixture (aspirin, ethanol, uracil). */
    public static int[][] perms(String molecule, Arena arena) {
        String fixture = switch (molecule) {
            case "aspirin" -> "aspirin-sym-m10";
            case "ethanol" -> "ethanol-sym-m30";
            case "uracil" -> "uracil-sym-m20";
            default -> throw new IllegalArgumentException("no reference symmetry group for " + molecule);
        };
        return Task.load(repo().resolve("testdata/fixtures/" + fixture + "/task.npz"), arena).perms();
    }

    /** A benchmark task: the first M frames of rMD17 training split 1 of a molecule, σ = 10, λ = 1e-10, the reference's group. */
    public static Task task(String molecule, int m, Arena arena) {
        return org.gdml4j.train.TaskFactory.fromFrames(dataset(molecule, arena), split(molecule, true, m), new long[0],
                perms(molecule, arena), 10, 1e-10, arena);
    }

    /** The reference's permutation group of aspirin (from the aspirin fixture's task). */
    public static int[][] aspirinPerms(Arena arena) {
        return perms("aspirin", arena);
    }

    /** Row indices of rMD17 split 1: {@code train} (1000) or {@code test} (1000). */
    public static long[] split(String molecule, boolean train, int count) {
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(datasetPath(molecule))) {
            NpyArray idx = npz.read(train ? "rmd17_train_idx" : "rmd17_test_idx", arena);
            long cols = idx.dim(1);
            if (count > cols) {
                throw new IllegalArgumentException("split has " + cols + " frames, asked for " + count);
            }
            long[] out = new long[count];
            for (int i = 0; i < count; i++) {
                out[i] = idx.getLong(i);
            }
            return out;
        }
    }

    /** Rows {@code frames} of a (frames, atoms, 3) array, copied contiguous into {@code arena}. */
    public static MemorySegment rows(Arena arena, NpyArray all, long[] frames) {
        return org.gdml4j.train.FrameSelection.gather(arena, all.data(), frames, (int) all.dim(1));
    }

    /** The aspirin task of the benchmarks: the first M frames of rMD17 training split 1, σ = 10, λ = 1e-10, 6 symmetries. */
    public static Task aspirinTask(Arena arena, int m) {
        return task("aspirin", m, arena);
    }

    /**
     * The kernel of the first M frames of rMD17 aspirin training split 1 (σ = 10, the reference's 6 symmetries), its
     * positions held in {@code arena}.
     */
    public static org.gdml4j.kernel.GdmlKernel aspirinKernel(Arena arena, int m) {
        Dataset data = dataset("aspirin", arena);
        MemorySegment r = rows(arena, data.positions(), split("aspirin", true, m));
        org.gdml4j.kernel.Symmetries sym = org.gdml4j.kernel.Symmetries.of(aspirinPerms(arena), data.z());
        return org.gdml4j.kernel.GdmlKernel.create(backend(), r, m, data.atoms(), sym, 10.0);
    }

    /**
     * The kernel operator of the same kernel on the benchmarks' device ({@link #backend}): the CPU kernel, or on a GPU
     * the one {@code KernelOperator.create} picks there ({@code -Dgdml4j.cuda.kernel=device}: the product on the GPU).
     */
    public static org.gdml4j.kernel.KernelOperator aspirinKernelOperator(Arena arena, int m, org.gdml4j.linalg.Backend be) {
        Dataset data = dataset("aspirin", arena);
        MemorySegment r = rows(arena, data.positions(), split("aspirin", true, m));
        org.gdml4j.kernel.Symmetries sym = org.gdml4j.kernel.Symmetries.of(aspirinPerms(arena), data.z());
        return org.gdml4j.kernel.KernelOperator.create(be, r, m, data.atoms(), sym, 10.0);
    }

    /** Force MAE of {@code model} on the 1,000 frames of rMD17 aspirin test split 1 (never used for training). */
    public static double aspirinTestForceMae(Path model) {
        try (Arena arena = Arena.ofShared()) {
            Dataset data = dataset("aspirin", arena);
            long[] test = split("aspirin", false, 1000);
            MemorySegment r = rows(arena, data.positions(), test);
            MemorySegment f = rows(arena, data.forces(), test);
            try (org.gdml4j.train.Predictor p = org.gdml4j.train.Predictor.of(backend(),
                    org.gdml4j.io.Model.load(model, arena))) {
                return org.gdml4j.train.ErrorStats.of(p.predict(r, test.length).forces(), f).mae();
            }
        }
    }

    /** The solver report line of a {@code --log-json} file. */
    public static String solverReport(Path log) throws java.io.IOException {
        return Files.readString(log).lines().filter(l -> l.startsWith("{\"solver\"")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no solver report in " + log));
    }

    /** The first group of {@code regex} in {@code text}; a missing match is an error naming both. */
    public static String find(String text, String regex) {
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile(regex).matcher(text);
        if (!mt.find()) {
            throw new IllegalStateException("no match for " + regex + " in:\n" + text);
        }
        return mt.group(1);
    }
}
