package org.gdml4j.io;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Assembles a {@link Task} with the keys, dtypes and key order that {@code sgdml create} (v1.0.3) writes:
 * strings as {@code <U}, md5 fingerprints as {@code |S32}, indices and {@code sig} as int64, flags as bool.
 */
public final class TaskBuilder {
    private static final List<String> ORDER = List.of("type", "code_version", "dataset_name", "dataset_theory", "z",
            "R_train", "F_train", "idxs_train", "md5_train", "idxs_valid", "md5_valid", "sig", "lam", "use_E",
            "use_E_cstr", "use_sym", "E_train", "r_unit", "e_unit", "perms");

    private final Map<String, NpyArray> values = new HashMap<>();
    private final SequencedMap<String, NpyArray> extras = new LinkedHashMap<>();

    TaskBuilder() {
        values.put("type", NpyArrays.ofString("t"));
        values.put("code_version", NpyArrays.ofString(ModelBuilder.SGDML_FORMAT_VERSION));
        values.put("lam", NpyArrays.scalar(Task.DEFAULT_LAMBDA));
        values.put("use_E_cstr", NpyArrays.scalar(false));
    }

    private TaskBuilder put(String key, NpyArray value) {
        values.put(key, value);
        return this;
    }

    /** The dataset the training set was drawn from: its name, theory, units and md5 (for train and validation). */
    public TaskBuilder dataset(Dataset d) {
        if (d.name() != null) {
            put("dataset_name", NpyArrays.ofString(d.name()));
        }
        if (d.theory() != null) {
            put("dataset_theory", NpyArrays.ofString(d.theory()));
        }
        if (d.rUnit() != null) {
            put("r_unit", NpyArrays.ofString(d.rUnit()));
        }
        if (d.eUnit() != null) {
            put("e_unit", NpyArrays.ofString(d.eUnit()));
        }
        String md5 = d.md5() != null ? d.md5() : d.computeMd5();
        return md5Train(md5).md5Valid(md5);
    }

    public TaskBuilder datasetName(String name) {
        return put("dataset_name", NpyArrays.ofString(name));
    }

    public TaskBuilder datasetTheory(String theory) {
        return put("dataset_theory", NpyArrays.ofString(theory));
    }

    public TaskBuilder z(int[] z) {
        return put("z", NpyArrays.ofLongs(java.util.Arrays.stream(z).asLongStream().toArray()));
    }

    /** {@code R_train}, (M, atoms, 3). */
    public TaskBuilder positions(NpyArray r) {
        return put("R_train", r);
    }

    /** {@code F_train}, (M, atoms, 3). */
    public TaskBuilder forces(NpyArray f) {
        return put("F_train", f);
    }

    /** {@code E_train}, written with the given shape ((M,) or (M, 1), as in the source dataset); sets use_E. */
    public TaskBuilder energies(NpyArray e) {
        put("use_E", NpyArrays.scalar(true));
        return put("E_train", e);
    }

    /** No energies: use_E = False and no {@code E_train}. */
    public TaskBuilder noEnergies() {
        values.remove("E_train");
        return put("use_E", NpyArrays.scalar(false));
    }

    public TaskBuilder idxsTrain(long[] idxs) {
        return put("idxs_train", NpyArrays.ofLongs(idxs));
    }

    public TaskBuilder idxsValid(long[] idxs) {
        return put("idxs_valid", NpyArrays.ofLongs(idxs));
    }

    /** The md5 fingerprint of the dataset the training set came from ({@code |S32}, as sGDML compares bytes). */
    public TaskBuilder md5Train(String md5) {
        return put("md5_train", NpyArrays.ofAscii(md5));
    }

    public TaskBuilder md5Valid(String md5) {
        return put("md5_valid", NpyArrays.ofAscii(md5));
    }

    /** Integer σ, stored as int64 like the sGDML CLI does. */
    public TaskBuilder sig(long sig) {
        return put("sig", NpyArrays.scalar(sig));
    }

    /** Non-integer σ (stored as float64; sGDML's GPU path would truncate it). */
    public TaskBuilder sig(double sig) {
        return put("sig", NpyArrays.scalar(sig));
    }

    public TaskBuilder lam(double lam) {
        return put("lam", NpyArrays.scalar(lam));
    }

    /**
     * Atom permutations (P, N) as int64. Unless {@link #useSym} is called, {@code use_sym} becomes whether there is
     * more than one (a symmetric search may well find only the identity, so the two can differ).
     */
    public TaskBuilder perms(int[][] perms) {
        int n = perms[0].length;
        long[] flat = new long[perms.length * n];
        for (int p = 0; p < perms.length; p++) {
            for (int a = 0; a < n; a++) {
                flat[p * n + a] = perms[p][a];
            }
        }
        values.putIfAbsent("use_sym", NpyArrays.scalar(perms.length > 1));
        return put("perms", NpyArrays.ofLongs(flat, perms.length, n));
    }

    /** Whether the permutations came from a symmetry search (sGDML's {@code use_sym}). */
    public TaskBuilder useSym(boolean useSym) {
        return put("use_sym", NpyArrays.scalar(useSym));
    }

    public TaskBuilder units(String rUnit, String eUnit) {
        put("r_unit", NpyArrays.ofString(rUnit));
        return put("e_unit", NpyArrays.ofString(eUnit));
    }

    /** Sets or replaces any key, e.g. one sGDML adds later ({@code tried_training}); kept after the standard keys. */
    public TaskBuilder extra(String key, NpyArray value) {
        if (ORDER.contains(key)) {
            return put(key, value);
        }
        extras.put(key, value);
        return this;
    }

    /** Validates and returns the task; {@code label} names it in error messages. */
    public Task build(String label) {
        values.putIfAbsent("use_E", NpyArrays.scalar(values.containsKey("E_train")));
        SequencedMap<String, NpyArray> entries = new LinkedHashMap<>();
        for (String key : ORDER) {
            if (values.containsKey(key)) {
                entries.put(key, values.get(key));
            }
        }
        entries.putAll(extras);
        return Task.of(label, entries, NpzContent.HEAP);
    }
}
