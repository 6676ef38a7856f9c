package org.gdml4j.precond;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import org.gdml4j.error.NumericalFailureException;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Progress;

/**
 * The Nyström preconditioner for a chosen set S of column indices: K̂ = K_nS K_SS⁻¹ K_Sn (paper eq. 5). The
 * kernel writes K[:, S] straight into the factor's own buffer (no second n x k copy); K_SS is read from its
 * rows, factorised with a jitter ladder (the reference's: it may be numerically singular, e.g. columns related
 * by a symmetry), and {@link LowRankFactor} turns it into the stable Woodbury form. Also the column selectors
 * shared by the sampling methods.
 */
public final class Nystrom {
    /** Diagonal jitter steps relative to the mean diagonal of K_SS, tried after a failed Cholesky. */
    static final double[] JITTER = {1e-14, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4};

    private Nystrom() {
    }

    /**
     * The Nyström preconditioner with its tall factor stored in {@code precision}: the stable orthonormal form
     * ({@link LowRankFactor}) is built in FP64 either way; FP32 then rounds its basis ({@link SinglePrecisionFactor}).
     */
    public static LowRankPreconditioner build(Backend be, ColumnSource src, long[] s, double lambda, String label, Progress progress,
            Precision precision) {
        long n = src.size();
        int k = s.length;
        Workspace ws = be.workspace();
        try {
            Matrix cols = ws.uninitializedMatrix(n, k, Precision.FP64, "preconditioner factor (" + label + ")");
            progress.start("kernel columns (" + label + ")", k, "columns");
            writeColumns(src, s, cols, progress);
            progress.finish();
            try (Workspace small = be.workspace()) {
                Matrix kss = small.matrix(k, k, "K_SS");
                progress.start("factorising the preconditioner", 1, "step");
                choleskyOfKss(be, cols, s, kss, progress);
                LowRankFactor exact = LowRankFactor.fromNystrom(be, ws, cols, kss, lambda, label);
                LowRankPreconditioner f = precision == Precision.FP64 ? exact : SinglePrecisionFactor.roundOrKeep(be, exact, lambda, progress);
                progress.finish();
                return f;
            }
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /**
     * The peak of {@link #build} for k columns: the columns (which become the basis) with K_SS beside them, the stable
     * form's build, then the FP32 rounding if asked (K_SS is held until it returns).
     */
    public static long bytesNeeded(long n, long k, Precision precision) {
        long kss = 8 * k * k;
        long peak = 8 * n * k + LowRankFactor.buildBytesBeyondBasis(n, k);
        if (precision == Precision.FP32) {
            long exact = 8 * n * k + LowRankFactor.bytesBeyondBasis(k);
            peak = Math.max(peak, SinglePrecisionFactor.bytesNeeded(n, k, SinglePrecisionFactor.plannedDominant(k), exact));
        }
        return kss + peak;
    }

    /** kss ← chol(K_SS + δI), lower, upper triangle zeroed; δ climbs the jitter ladder until it succeeds. */
    private static void choleskyOfKss(Backend be, Matrix cols, long[] s, Matrix kss, Progress progress) {
        int k = s.length;
        be.gatherRows(cols, s, kss); // K_SS: rows s of the columns
        double meanDiag = be.sum(kss.diagonal()) / k;
        double jitter = 0;
        for (int step = 0;; step++) {
            if (step > 0) {
                be.gatherRows(cols, s, kss); // potrf overwrote the lower triangle
                be.add(jitter, kss.diagonal());
            }
            if (be.potrf(Uplo.LOWER, kss) == 0) {
                break;
            }
            if (step == JITTER.length) {
                throw new NumericalFailureException("the Nyström core K_SS is not positive definite even with jitter " + jitter);
            }
            jitter = JITTER[step] * meanDiag;
            progress.note(String.format(Locale.ROOT, "K_SS Cholesky failed; retrying with jitter %.1e", jitter));
        }
        be.triangle(Uplo.LOWER, kss, kss); // potrf leaves the upper triangle as it was
    }

    /** K[:, s] into cols, in slices of a few molecules so progress moves. */
    static void writeColumns(ColumnSource src, long[] s, Matrix cols, Progress progress) {
        int block = src.blockSize();
        int start = 0;
        while (start < s.length) {
            long firstMolecule = s[start] / block;
            int end = start;
            while (end < s.length && s[end] / block < firstMolecule + 8) {
                end++;
            }
            src.columns(Arrays.copyOfRange(s, start, end), cols.columns(start, end - start));
            start = end;
            progress.update(start);
        }
    }

    /** k distinct indices of [0, n) drawn uniformly (seeded), sorted. */
    public static long[] uniform(long n, int k, long seed) {
        if (k > n) {
            throw new org.gdml4j.error.InvalidInputException("k = " + k + " exceeds n = " + n);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int size = Math.toIntExact(n);
        int[] idx = new int[size];
        for (int i = 0; i < size; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < k; i++) { // partial Fisher-Yates
            int j = i + rnd.nextInt(size - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * k distinct indices drawn without replacement with probability ∝ weights (Efraimidis-Spirakis keys
     * u^(1/w): the same distribution as successive weighted draws), seeded, sorted. Zero weights are never drawn
     * unless needed to reach k.
     */
    public static long[] weighted(double[] weights, int k, long seed) {
        int n = weights.length;
        if (k > n) {
            throw new org.gdml4j.error.InvalidInputException("k = " + k + " exceeds n = " + n);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] key = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            double w = Math.max(weights[i], 0);
            double u = rnd.nextDouble();
            key[i] = w > 0 ? Math.log(Math.max(u, Double.MIN_NORMAL)) / w : Double.NEGATIVE_INFINITY;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(key[b], key[a]));
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        Arrays.sort(out);
        return out;
    }
}
