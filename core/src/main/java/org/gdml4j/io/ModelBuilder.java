package org.gdml4j.io;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Assembles a {@link Model} with exactly the keys, dtypes, shapes and key order of a model written by sGDML 1.0.3
 * (compare any {@code model.npz} fixture), so that sGDML's own tools ({@code GDMLPredict}, {@code sgdml
 * validate/test/select/resume}) accept it.
 */
public final class ModelBuilder {
    /** The sGDML release whose file layout we write; its tools compare {@code code_version}, so we claim that one. */
    public static final String SGDML_FORMAT_VERSION = "1.0.3";

    private static final List<String> ORDER = List.of("type", "code_version", "dataset_name", "dataset_theory",
            "solver_name", "z", "idxs_train", "md5_train", "idxs_valid", "md5_valid", "n_test", "md5_test", "f_err",
            "R_desc", "R_d_desc_alpha", "c", "std", "sig", "lam", "alphas_F", "perms", "tril_perms_lin", "use_E",
            "e_err", "r_unit", "e_unit", "solver_tol", "solver_iters", "solver_resid", "inducing_pts_idxs",
            "norm_y_train");
    /** Task keys a model repeats unchanged (dtype included, e.g. an int64 {@code sig}). */
    private static final List<String> FROM_TASK = List.of("dataset_name", "dataset_theory", "z", "idxs_train",
            "md5_train", "idxs_valid", "md5_valid", "sig", "lam", "perms", "use_E", "r_unit", "e_unit");

    private final Map<String, NpyArray> values = new HashMap<>();
    private final SequencedMap<String, NpyArray> extras = new LinkedHashMap<>();

    ModelBuilder() {
        values.put("type", NpyArrays.ofString("m"));
        values.put("code_version", NpyArrays.ofString(SGDML_FORMAT_VERSION));
        values.put("solver_name", NpyArrays.ofString("analytic"));
        values.put("n_test", NpyArrays.scalar(0L));
        values.put("md5_test", NpyArray.ofObject(null));
        values.put("f_err", NpyArray.ofObject(unknownErrors()));
        values.put("std", NpyArrays.scalar(1.0));
    }

    /** sGDML's placeholder before validation: {@code {'mae': nan, 'rmse': nan}}. */
    private static Map<String, Double> unknownErrors() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mae", Double.NaN);
        m.put("rmse", Double.NaN);
        return m;
    }

    private ModelBuilder put(String key, NpyArray value) {
        values.put(key, value);
        return this;
    }

    /** Copies the keys a model shares with its task (dataset name and theory, z, indices, md5s, σ, λ, perms, units). */
    public ModelBuilder fromTask(Task task) {
        for (String key : FROM_TASK) {
            NpyArray a = task.entries().get(key);
            if (a != null) {
                values.put(key, a);
            }
        }
        values.putIfAbsent("lam", NpyArrays.scalar(task.lam()));
        values.putIfAbsent("use_E", NpyArrays.scalar(task.useE()));
        return this;
    }

    /** {@code "analytic"} (the default) or {@code "cg"}. */
    public ModelBuilder solverName(String name) {
        return put("solver_name", NpyArrays.ofString(name));
    }

    /** Training descriptors (M, D) in C order; stored as sGDML does, as the (D, M) transpose in Fortran order. */
    public ModelBuilder trainingDescriptors(NpyArray descriptors) {
        return put("R_desc", descriptors.transpose());
    }

    /** {@code R_d_desc_alpha}, (M, D). */
    public ModelBuilder descriptorAlphas(NpyArray alphas) {
        return put("R_d_desc_alpha", alphas);
    }

    /** {@code alphas_F}, (3NM,): the solution with sGDML's sign (minus the solve of (K + λI) a = y). */
    public ModelBuilder alphasF(NpyArray alphas) {
        return put("alphas_F", alphas);
    }

    public ModelBuilder trilPermsLin(long[] trilPermsLin) {
        return put("tril_perms_lin", NpyArrays.ofLongs(trilPermsLin));
    }

    public ModelBuilder c(double c) {
        return put("c", NpyArrays.scalar(c));
    }

    public ModelBuilder std(double std) {
        return put("std", NpyArrays.scalar(std));
    }

    public ModelBuilder sig(long sig) {
        return put("sig", NpyArrays.scalar(sig));
    }

    public ModelBuilder lam(double lam) {
        return put("lam", NpyArrays.scalar(lam));
    }

    public ModelBuilder useE(boolean useE) {
        return put("use_E", NpyArrays.scalar(useE));
    }

    /** Validation force errors; {@code {'mae': nan, 'rmse': nan}} until a validation run fills them in. */
    public ModelBuilder fErr(Map<String, Double> errors) {
        return put("f_err", NpyArray.ofObject(errors));
    }

    /** Validation energy errors; written only when use_E is on, with the NaN placeholder by default. */
    public ModelBuilder eErr(Map<String, Double> errors) {
        return put("e_err", NpyArray.ofObject(errors));
    }

    /** After a test run: how many points and which dataset ({@code md5_test} is None until then). */
    public ModelBuilder test(long nTest, String md5Test) {
        put("n_test", NpyArrays.scalar(nTest));
        return put("md5_test", md5Test == null ? NpyArray.ofObject(null) : NpyArrays.ofAscii(md5Test));
    }

    /** The iterative solver's record; also sets {@code solver_name} to {@code "cg"}. */
    public ModelBuilder cg(Model.CgInfo info) {
        put("solver_tol", NpyArrays.scalar(info.tol()));
        put("solver_iters", NpyArrays.scalar(info.iters()));
        put("solver_resid", NpyArrays.scalar(info.resid()));
        put("inducing_pts_idxs", NpyArrays.ofLongs(info.inducingPtsIdxs()));
        put("norm_y_train", NpyArrays.scalar(info.normYTrain()));
        return solverName("cg");
    }

    /** Sets any standard key directly, or adds a non-standard one after the standard keys. */
    public ModelBuilder extra(String key, NpyArray value) {
        if (ORDER.contains(key)) {
            return put(key, value);
        }
        extras.put(key, value);
        return this;
    }

    /** Validates and returns the model; {@code label} names it in error messages. */
    public Model build(String label) {
        boolean useE = values.containsKey("use_E") && values.get("use_E").scalarBoolean();
        if (useE) {
            values.putIfAbsent("e_err", NpyArray.ofObject(unknownErrors()));
        }
        SequencedMap<String, NpyArray> entries = new LinkedHashMap<>();
        for (String key : ORDER) {
            if (values.containsKey(key)) {
                entries.put(key, values.get(key));
            }
        }
        entries.putAll(extras);
        return Model.of(label, entries, NpzContent.HEAP);
    }
}
