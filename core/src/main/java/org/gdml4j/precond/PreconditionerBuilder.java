package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Precision;
import org.gdml4j.solve.Pcg;
import org.gdml4j.solve.Preconditioner;
import org.gdml4j.solve.Progress;

/**
 * Builds any {@link PreconditionerKind} of size k over a kernel, and knows how each one grows when CG stagnates
 * (k x 1.2): uniform keeps its earlier columns (the seeded draw is a prefix of the larger one), leverage
 * resamples from the current factor's scores, cholesky continues its deterministic pivot sequence (recomputed),
 * eigen takes more eigenvectors; the Jacobi baselines and none cannot grow.
 */
public final class PreconditionerBuilder implements AutoCloseable {
    /** A preconditioner and the kernel columns it was built from (sorted; empty for non-column methods). */
    public record Built(Preconditioner preconditioner, long[] inducing) {
    }

    /**
     * How a preconditioner in use came about, enough to make it again bit for bit (a PCG checkpoint keeps this):
     * built as {@code kind} at {@code initialK} in {@code precision}, then grown {@code growths} times, ending with the
     * kernel columns {@code columns} (sorted).
     */
    public record Recipe(PreconditionerKind kind, Precision precision, int initialK, int growths, long[] columns) {
        public Recipe {
            columns = columns.clone();
        }

        /** The same preconditioner after one more growth, which ended with {@code grownColumns}. */
        public Recipe grown(long[] grownColumns) {
            return new Recipe(kind, precision, initialK, growths + 1, grownColumns);
        }
    }

    private final Backend be;
    private final ColumnSource src;
    private final double lambda;
    private final long seed;
    private final Progress progress;
    private final Precision precision;
    /** The dense eigendecomposition, kept for further eigen/rank-k builds (growth, sweeps over k) until close. */
    private DenseSpectrum.Decomposition spectrum;
    /** The last pivoted-Cholesky factor built here and its pivots in the order chosen, for {@link #grower}. */
    private Preconditioner lastCholesky;
    private long[] lastCholeskyPivots;

    /** FP64 factors. */
    public PreconditionerBuilder(Backend be, ColumnSource src, double lambda, long seed, Progress progress) {
        this(be, src, lambda, seed, progress, Precision.FP64);
    }

    /**
     * @param precision storage of the tall factor of the column-based methods (uniform, leverage, rank-k-leverage,
     *                  cholesky); the eigen and Jacobi preconditioners are always FP64
     */
    public PreconditionerBuilder(Backend be, ColumnSource src, double lambda, long seed, Progress progress, Precision precision) {
        if (!(lambda > 0)) {
            throw new org.gdml4j.error.InvalidInputException("preconditioners need lambda > 0, got " + lambda);
        }
        this.be = be;
        this.src = src;
        this.lambda = lambda;
        this.seed = seed;
        this.progress = progress == null ? Progress.NONE : progress;
        this.precision = precision;
    }

    public Built build(PreconditionerKind kind, int k) {
        long n = src.size();
        if (kind.lowRank() && (k < 1 || k > n)) {
            throw new org.gdml4j.error.InvalidInputException("k must be in [1, n = " + n + "], got " + k);
        }
        return switch (kind) {
            case UNIFORM -> {
                long[] s = Nystrom.uniform(n, k, seed);
                yield new Built(Nystrom.build(be, src, s, lambda, "uniform", progress, precision), s);
            }
            case LEVERAGE -> leverage(k, null);
            case CHOLESKY -> cholesky(PivotedCholesky.build(be, src, k, lambda, progress, precision));
            case EIGEN -> new Built(DenseSpectrum.truncatedEigen(be, spectrum(), k, lambda), new long[0]);
            case RANK_K_LEVERAGE -> {
                double[] tau = DenseSpectrum.rankKLeverageScores(spectrum(), k);
                long[] s = Nystrom.weighted(tau, k, seed);
                yield new Built(Nystrom.build(be, src, s, lambda, "rank-k-leverage", progress, precision), s);
            }
            case BLOCK_JACOBI -> new Built(BlockJacobi.molecules(be, src, lambda, progress), new long[0]);
            case ATOM_JACOBI -> new Built(BlockJacobi.atoms(be, src, lambda, progress), new long[0]);
            case NONE -> new Built(Preconditioner.identity(be), new long[0]);
        };
    }

    /**
     * Makes the preconditioner of {@code recipe} again. The Nyström kinds draw nothing this time: their factor is a
     * function of the recorded columns alone, built by the same code as the first time (so the leverage estimate is
     * skipped); the others repeat their deterministic build and growths. Either way the result has the same bits as
     * the original, which is checked on the columns.
     */
    public Built rebuild(Recipe recipe) {
        if (recipe.precision() != precision) {
            throw new IllegalArgumentException("rebuild: the recipe is for " + recipe.precision() + " factors, this builder makes " + precision);
        }
        Built b;
        if (recipe.kind().sampled() && recipe.columns().length > 0) {
            long[] s = recipe.columns();
            b = new Built(Nystrom.build(be, src, s, lambda, recipe.kind().cliName(), progress, precision), s);
        } else {
            b = build(recipe.kind(), recipe.initialK());
            Built[] last = {b};
            Pcg.Grower g = grower(recipe.kind(), grown -> last[0] = grown);
            for (int i = 0; i < recipe.growths(); i++) {
                if (g == null || g.grow(last[0].preconditioner()) == null) {
                    throw new IllegalStateException("rebuild: the " + recipe.kind().cliName() + " preconditioner cannot grow "
                            + recipe.growths() + " times");
                }
            }
            b = last[0];
        }
        if (!java.util.Arrays.equals(b.inducing(), recipe.columns())) {
            b.preconditioner().close();
            throw new IllegalStateException("rebuild: the " + recipe.kind().cliName() + " preconditioner came out with other columns"
                    + " than recorded (" + b.inducing().length + " vs " + recipe.columns().length + ")");
        }
        return b;
    }

    private DenseSpectrum.Decomposition spectrum() {
        if (spectrum == null) {
            spectrum = DenseSpectrum.decompose(be, src, progress);
        }
        return spectrum;
    }

    /** Releases the cached dense eigendecomposition, if any (the preconditioners built stay valid). */
    @Override
    public void close() {
        if (spectrum != null) {
            spectrum.close();
            spectrum = null;
        }
    }

    /**
     * Leverage-score Nyström as the reference (sgdml-reference.md §6 steps 1-3): a rough Nyström factor from
     * 3N·min(k_mol, 10) uniform columns gives approximate ridge leverage scores τ = diag(K̂₀(K̂₀ + λI)⁻¹); k columns
     * are then drawn without replacement ∝ τ. {@code scores} replaces the rough step when growing.
     */
    private Built leverage(int k, double[] scores) {
        long n = src.size();
        double[] tau = scores;
        if (tau == null) {
            int block = src.blockSize();
            int kMol = (k + block - 1) / block;
            int m0 = (int) Math.min(n, (long) block * Math.min(kMol, 10));
            long[] rough = Nystrom.uniform(n, m0, seed ^ 0x5DEECE66DL);
            try (LowRankFactor f = Nystrom.build(be, src, rough, lambda, "leverage estimate", progress)) {
                tau = f.leverageScores();
            }
        }
        long[] s = Nystrom.weighted(tau, k, seed);
        return new Built(Nystrom.build(be, src, s, lambda, "leverage", progress, precision), s);
    }

    /** Remembers a pivoted-Cholesky factor and its pivots (so that growing it extends it) and sorts the pivots for the model. */
    private Built cholesky(PivotedCholesky.Built b) {
        lastCholesky = b.factor();
        lastCholeskyPivots = b.pivots();
        long[] sorted = b.pivots().clone();
        java.util.Arrays.sort(sorted);
        return new Built(b.factor(), sorted);
    }

    /**
     * The growth rule for {@code kind}: k x 1.2, a leverage factor resampled from its own scores, a pivoted-Cholesky
     * factor extended by more greedy steps (its columns kept), the others rebuilt; null for kinds that cannot grow. The
     * caller closes replaced preconditioners.
     */
    public Pcg.Grower grower(PreconditionerKind kind, java.util.function.Consumer<Built> onGrown) {
        if (!kind.lowRank()) {
            return null;
        }
        return current -> {
            long n = src.size();
            long k = current.rank();
            if (k >= n) {
                return null;
            }
            int bigger = (int) Math.min(n, (long) Math.ceil(1.2 * k));
            Built b;
            if (kind == PreconditionerKind.LEVERAGE && current instanceof LowRankFactor f) {
                b = leverage(bigger, f.leverageScores());
            } else if (kind == PreconditionerKind.LEVERAGE && current instanceof SinglePrecisionFactor f) {
                b = leverage(bigger, f.leverageScores());
            } else if (kind == PreconditionerKind.CHOLESKY && current == lastCholesky && current instanceof LowRankFactor f) {
                b = cholesky(PivotedCholesky.extend(be, src, f, lastCholeskyPivots, bigger, lambda, progress));
            } else {
                b = build(kind, bigger);
            }
            current.close();
            if (onGrown != null) {
                onGrown.accept(b);
            }
            return b.preconditioner();
        };
    }
}
