package org.gdml4j.io;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.SequencedMap;

/**
 * An sGDML training task ({@code type = 't'}): the training subset of a dataset plus hyper-parameters, which is the
 * input of the solver stage. Validated on load; keys this class does not interpret are kept and written back.
 *
 * <p>Tasks with energy constraints ({@code use_E_cstr}) or periodic cells ({@code lattice}) are rejected as not
 * supported yet, so that no later stage silently ignores them.
 */
public final class Task {
    /** sGDML's default regularisation, used when an (old) task has no {@code lam}. */
    public static final double DEFAULT_LAMBDA = 1e-10;

    private final NpzContent content;
    private final int[] z;
    private final NpyArray positions;
    private final NpyArray forces;
    private final double[] energies;
    private final int[][] perms;

    private Task(NpzContent c) {
        this.content = c;
        c.checkType('t');
        SgdmlChecks.unsupportedFeatures(c);
        NpyArray zArray = c.require("z");
        c.requireInteger("z", zArray);
        c.checkShape("z", zArray, "(atoms,)", -1);
        z = zArray.toIntArray();
        SgdmlChecks.atomicNumbers(c, "z", z);
        positions = c.doubles("R_train", "(n_train, atoms, 3)", -1, z.length, 3);
        long m = positions.dim(0);
        if (m == 0) {
            throw c.error("R_train", "the task has no training geometries");
        }
        forces = c.doubles("F_train", "(n_train, atoms, 3)", m, z.length, 3);
        boolean useE = c.optFlag("use_E", c.has("E_train"));
        if (useE && !c.has("E_train")) {
            throw c.error("use_E", "is True but the task has no energies ('E_train')");
        }
        energies = c.has("E_train") ? SgdmlChecks.energies(c, "E_train", m) : null;
        SgdmlChecks.finite(c, "R_train", positions);
        SgdmlChecks.finite(c, "F_train", forces);
        SgdmlChecks.minimumDistance(c, "R_train", positions, c.optString("r_unit"));
        double sig = c.number("sig");
        if (!(sig > 0) || Double.isInfinite(sig)) {
            throw c.error("sig", "the kernel length scale must be a positive number, found " + sig);
        }
        double lam = c.optNumber("lam", DEFAULT_LAMBDA);
        if (!(lam >= 0) || Double.isInfinite(lam)) {
            throw c.error("lam", "the regularisation must be a non-negative number, found " + lam);
        }
        perms = c.has("perms") ? SgdmlChecks.permutations(c, "perms", z.length) : identity(z.length);
        long[] idxs = c.optLongs("idxs_train");
        if (idxs != null && idxs.length != m) {
            throw c.error("idxs_train", "has " + idxs.length + " indices for " + m + " training geometries");
        }
    }

    private static int[][] identity(int n) {
        int[] id = new int[n];
        for (int i = 0; i < n; i++) {
            id[i] = i;
        }
        return new int[][] {id};
    }

    /** Reads and validates {@code file}; arrays are allocated from {@code arena}. */
    public static Task load(Path file, Arena arena) {
        return new Task(NpzContent.load(file, arena));
    }

    /** Validates arrays assembled in memory; {@code label} names the task in messages. */
    public static Task of(String label, SequencedMap<String, NpyArray> entries, SegmentAllocator allocator) {
        return new Task(NpzContent.of(label, entries, allocator));
    }

    public static TaskBuilder builder() {
        return new TaskBuilder();
    }

    public String label() {
        return content.label();
    }

    public String codeVersion() {
        return content.optString("code_version");
    }

    public String datasetName() {
        return content.optString("dataset_name");
    }

    public String datasetTheory() {
        return content.optString("dataset_theory");
    }

    public int[] z() {
        return z.clone();
    }

    public int atoms() {
        return z.length;
    }

    /** M, the number of training geometries. */
    public int trainSize() {
        return Math.toIntExact(positions.dim(0));
    }

    /** {@code R_train}: (M, atoms, 3), C-order {@code <f8}. */
    public NpyArray positions() {
        return positions;
    }

    /** {@code F_train}: (M, atoms, 3), C-order {@code <f8}. */
    public NpyArray forces() {
        return forces;
    }

    /** {@code E_train} raveled to (M,), or {@code null}. */
    public double[] energies() {
        return energies == null ? null : energies.clone();
    }

    /** Whether energies are used to fit the integration constant (sGDML's {@code use_E}). */
    public boolean useE() {
        return content.optFlag("use_E", energies != null);
    }

    public boolean useSym() {
        return content.optFlag("use_sym", perms.length > 1);
    }

    /** Kernel length scale σ; an integer in CLI-made tasks, but any positive number is accepted. */
    public double sig() {
        return content.number("sig");
    }

    /** Regularisation λ (default {@value #DEFAULT_LAMBDA}). */
    public double lam() {
        return content.optNumber("lam", DEFAULT_LAMBDA);
    }

    /** Atom permutations (P, N), the identity alone if the task has no {@code perms}. */
    public int[][] perms() {
        int[][] copy = new int[perms.length][];
        for (int i = 0; i < perms.length; i++) {
            copy[i] = perms[i].clone();
        }
        return copy;
    }

    public long[] idxsTrain() {
        return content.optLongs("idxs_train");
    }

    public String md5Train() {
        return content.optString("md5_train");
    }

    public long[] idxsValid() {
        return content.optLongs("idxs_valid");
    }

    public String md5Valid() {
        return content.optString("md5_valid");
    }

    public String rUnit() {
        return content.optString("r_unit");
    }

    public String eUnit() {
        return content.optString("e_unit");
    }

    /** Every key as stored, in file order. */
    public SequencedMap<String, NpyArray> entries() {
        return content.entries();
    }

    /** Writes all entries atomically; see {@link AtomicFile#checkWritable} for {@code inputs}. */
    public void write(Path target, Path... inputs) {
        NpzWriter.write(target, content.entries(), inputs);
    }
}
