package org.gdml4j.io;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * A trained sGDML model ({@code type = 'm'}), validated on load: the arrays {@code GDMLPredict} needs are
 * checked for consistent shapes (N atoms, M training points, D = N(N-1)/2, P permutations) and finite values.
 * Keys this class does not interpret are kept and written back unchanged.
 */
public final class Model {
    private final NpzContent content;
    private final int[] z;
    private final NpyArray descriptors;
    private final NpyArray descriptorAlphas;
    private final int[][] perms;
    private final long[] trilPermsLin;
    private final NpyArray alphasF;

    private Model(NpzContent c) {
        this.content = c;
        c.checkType('m');
        SgdmlChecks.unsupportedFeatures(c);
        NpyArray zArray = c.require("z");
        c.requireInteger("z", zArray);
        c.checkShape("z", zArray, "(atoms,)", -1);
        z = zArray.toIntArray();
        SgdmlChecks.atomicNumbers(c, "z", z);
        long n = z.length;
        long d = n * (n - 1) / 2;
        // R_desc is stored transposed, (D, M); its transpose is the (M, D) matrix the numerics use
        descriptors = c.numeric("R_desc", "(descriptor length, n_train)", d, -1).transpose().asDoubles(c.allocator());
        long m = descriptors.dim(0);
        descriptorAlphas = c.doubles("R_d_desc_alpha", "(n_train, descriptor length)", m, d);
        SgdmlChecks.finite(c, "R_desc", descriptors);
        SgdmlChecks.finite(c, "R_d_desc_alpha", descriptorAlphas);
        perms = SgdmlChecks.permutations(c, "perms", z.length);
        NpyArray tril = c.require("tril_perms_lin");
        c.requireInteger("tril_perms_lin", tril);
        c.checkShape("tril_perms_lin", tril, "(permutations * descriptor length,)", perms.length * d);
        trilPermsLin = tril.toLongArray();
        for (long v : trilPermsLin) {
            if (v < 0 || v >= perms.length * d) {
                throw c.error("tril_perms_lin", "index " + v + " is out of range for " + perms.length + " x " + d);
            }
        }
        alphasF = c.has("alphas_F") ? c.doubles("alphas_F", "(3 * atoms * n_train,)", 3 * n * m) : null;
        double sig = c.number("sig");
        if (!(sig > 0) || Double.isInfinite(sig)) {
            throw c.error("sig", "the kernel length scale must be a positive number, found " + sig);
        }
        for (String key : new String[] {"c", "std"}) {
            double v = key.equals("c") ? c.number(key) : c.optNumber(key, 1.0);
            if (!Double.isFinite(v)) {
                throw c.error(key, "must be a finite number, found " + v);
            }
        }
    }

    /** Reads and validates {@code file}; arrays are allocated from {@code arena}. */
    public static Model load(Path file, Arena arena) {
        return new Model(NpzContent.load(file, arena));
    }

    /** Validates arrays assembled in memory; {@code label} names the model in messages. */
    public static Model of(String label, SequencedMap<String, NpyArray> entries, SegmentAllocator allocator) {
        return new Model(NpzContent.of(label, entries, allocator));
    }

    public static ModelBuilder builder() {
        return new ModelBuilder();
    }

    public String label() {
        return content.label();
    }

    public int[] z() {
        return z.clone();
    }

    public int atoms() {
        return z.length;
    }

    /** M, the number of training geometries. */
    public int trainSize() {
        return Math.toIntExact(descriptors.dim(0));
    }

    /** D = N(N-1)/2. */
    public int descriptorSize() {
        return Math.toIntExact(descriptors.dim(1));
    }

    public int permCount() {
        return perms.length;
    }

    /** The training descriptors (M, D), C-order {@code <f8}: the transpose of the stored {@code R_desc}. */
    public NpyArray trainingDescriptors() {
        return descriptors;
    }

    /** {@code R_d_desc_alpha}: (M, D), C-order {@code <f8}, row j = J_j · alphas_F of molecule j. */
    public NpyArray descriptorAlphas() {
        return descriptorAlphas;
    }

    /** {@code alphas_F} (3NM,), or {@code null} for a model written without it. */
    public NpyArray alphasF() {
        return alphasF;
    }

    public int[][] perms() {
        int[][] copy = new int[perms.length][];
        for (int i = 0; i < perms.length; i++) {
            copy[i] = perms[i].clone();
        }
        return copy;
    }

    /** {@code tril_perms_lin}: (P·D,), the permuted descriptor indices in sGDML's layout (docs/sgdml-formulas.md §2). */
    public long[] trilPermsLin() {
        return trilPermsLin.clone();
    }

    public double sig() {
        return content.number("sig");
    }

    /** Integration constant of the energy. */
    public double c() {
        return content.number("c");
    }

    /** Force standard deviation the labels were divided by (default 1, as in sGDML). */
    public double std() {
        return content.optNumber("std", 1.0);
    }

    /** λ, or NaN if the model does not record it. */
    public double lam() {
        return content.optNumber("lam", Double.NaN);
    }

    public boolean useE() {
        return content.optFlag("use_E", false);
    }

    public String solverName() {
        return content.optString("solver_name");
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

    public long nTest() {
        return content.has("n_test") ? content.require("n_test").scalarLong() : 0;
    }

    /** md5 of the test dataset, or {@code null} (stored as None until {@code sgdml test} ran). */
    public String md5Test() {
        NpyArray a = content.get("md5_test");
        return a == null || a.isObject() ? null : a.string();
    }

    /** Force errors recorded by validation ({@code {'mae': ..., 'rmse': ...}}), or {@code null}. */
    public Map<String, Double> fErr() {
        return errorDict("f_err");
    }

    public Map<String, Double> eErr() {
        return errorDict("e_err");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Double> errorDict(String key) {
        NpyArray a = content.get(key);
        return a == null ? null : (Map<String, Double>) a.objectValue();
    }

    public String rUnit() {
        return content.optString("r_unit");
    }

    public String eUnit() {
        return content.optString("e_unit");
    }

    /** The iterative solver's record, if this model came from it. */
    public Optional<CgInfo> cgInfo() {
        if (!content.has("solver_resid")) {
            return Optional.empty();
        }
        long[] idxs = content.optLongs("inducing_pts_idxs");
        return Optional.of(new CgInfo(content.optNumber("solver_tol", Double.NaN),
                content.has("solver_iters") ? content.require("solver_iters").scalarLong() : 0,
                content.number("solver_resid"), idxs == null ? new long[0] : idxs,
                content.optNumber("norm_y_train", Double.NaN)));
    }

    /** Every key as stored, in file order. */
    public SequencedMap<String, NpyArray> entries() {
        return content.entries();
    }

    /** Writes all entries atomically; see {@link AtomicFile#checkWritable} for {@code inputs}. */
    public void write(Path target, Path... inputs) {
        NpzWriter.write(target, content.entries(), inputs);
    }

    /**
     * What sGDML's conjugate-gradient solver records in a model.
     *
     * @param inducingPtsIdxs sorted column indices of the Nyström preconditioner
     * @param normYTrain      ‖y‖ of the std-normalised labels
     */
    public record CgInfo(double tol, long iters, double resid, long[] inducingPtsIdxs, double normYTrain) {
        /** sGDML's convergence test: the residual is below {@code tol · ‖y‖}. */
        public boolean converged() {
            return resid <= tol * normYTrain;
        }
    }
}
