package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Precision;
import org.gdml4j.solve.Pcg;
import org.gdml4j.solve.Preconditioner;
import org.gdml4j.solve.Progress;

/**
 * Builds any {@link PreconditionerKind} of size k over a kernel, and knows how each one grows when CG stagnates
 * (k x 1.2): uniform keeps its earlier columns (the seeded draw is a prefix of the larger one), leverage
 * resamples from the current factor's scores, cholesky continues its greedy steps from the current factor (in
 * either precision), eigen takes more eigenvectors; the Jacobi baselines and none cannot grow. Growth needs only
 * the {@link LowRankPreconditioner} contract of the current factor, whatever its storage.
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
    /**
     * The last low-rank preconditioner made here (built, rebuilt or grown), the only one {@link #grower} accepts, and
     * for cholesky its pivots in the order chosen (null for the other kinds).
     */
    private LowRankPreconditioner latest;
    private long[] latestPivots;

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
            case UNIFORM -> nystrom(Nystrom.uniform(n, k, seed), "uniform");
            case LEVERAGE -> leverage(k, null);
            case CHOLESKY -> cholesky(PivotedCholesky.build(be, src, k, lambda, progress, precision));
            case EIGEN -> lowRank(DenseSpectrum.truncatedEigen(be, spectrum(), k, lambda), new long[0], null);
            case RANK_K_LEVERAGE -> nystrom(Nystrom.weighted(DenseSpectrum.rankKLeverageScores(be, spectrum(), k), k, seed),
                    "rank-k-leverage");
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
            b = nystrom(recipe.columns(), recipe.kind().cliName());
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
     * Leverage-score Nyström as the reference (docs/sgdml-formulas.md §8 steps 1-3): a rough Nyström factor from
     * 3N·min(k_mol, 10) uniform columns gives approximate ridge leverage scores τ = diag(K̂₀(K̂₀ + λI)⁻¹); k columns
     * are then drawn without replacement ∝ τ. {@code scores} replaces the rough step when growing.
     */
    private Built leverage(int k, double[] scores) {
        long n = src.size();
        double[] tau = scores;
        if (tau == null) {
            long[] rough = Nystrom.uniform(n, roughColumns(n, k, src.blockSize()), seed ^ 0x5DEECE66DL);
            try (LowRankPreconditioner f = Nystrom.build(be, src, rough, lambda, "leverage estimate", progress, Precision.FP64)) {
                tau = f.leverageScores();
            }
        }
        return nystrom(Nystrom.weighted(tau, k, seed), "leverage");
    }

    /** Columns of the rough factor of {@link #leverage}: 3N·min(k_mol, 10). */
    private static int roughColumns(long n, long k, int block) {
        long kMol = (k + block - 1) / block;
        return (int) Math.min(n, (long) block * Math.min(kMol, 10));
    }

    private Built nystrom(long[] columns, String label) {
        return lowRank(Nystrom.build(be, src, columns, lambda, label, progress, precision), columns, null);
    }

    /** Sorts a pivoted-Cholesky factor's pivots for the model and keeps them in their order (so that growing extends it). */
    private Built cholesky(PivotedCholesky.Built b) {
        long[] sorted = b.pivots().clone();
        java.util.Arrays.sort(sorted);
        return lowRank(b.factor(), sorted, b.pivots());
    }

    /** Remembers {@code p} as the one {@link #grower} may grow next. */
    private Built lowRank(LowRankPreconditioner p, long[] columns, long[] pivotsInOrder) {
        latest = p;
        latestPivots = pivotsInOrder;
        return new Built(p, columns);
    }

    /**
     * The growth rule for {@code kind}: k x 1.2; leverage resamples from the current factor's scores, cholesky extends
     * the current factor by more greedy steps (its pivots kept, in its precision again), the others are built anew;
     * null for kinds that cannot grow. {@code current} must be the last preconditioner this builder made. The grower
     * closes it as soon as it has taken what it needs from it, before the bigger one is built (one factor at the peak,
     * not two); closing it again is harmless.
     */
    public Pcg.Grower grower(PreconditionerKind kind, java.util.function.Consumer<Built> onGrown) {
        if (!kind.lowRank()) {
            return null;
        }
        return current -> {
            if (current != latest || latest == null) {
                throw new IllegalArgumentException("grow: " + current.describe() + " is not the last preconditioner of this builder");
            }
            LowRankPreconditioner now = latest;
            long n = src.size();
            long k = now.rank();
            if (k >= n) {
                return null;
            }
            int bigger = (int) Math.min(n, (long) Math.ceil(1.2 * k));
            Built b = switch (kind) {
                case LEVERAGE -> {
                    double[] tau = now.leverageScores();
                    now.close();
                    yield leverage(bigger, tau);
                }
                case CHOLESKY -> cholesky(PivotedCholesky.extend(be, src, now, latestPivots, bigger, lambda, progress, precision));
                default -> {
                    now.close();
                    yield build(kind, bigger);
                }
            };
            if (onGrown != null) {
                onGrown.accept(b);
            }
            return b.preconditioner();
        };
    }

    /**
     * Bytes building {@code kind} at size k holds at its peak, summed from what each build path declares next to its
     * allocations (factor, build scratch, apply scratch; the dense kinds' cached decomposition included).
     */
    public static long bytesNeeded(PreconditionerKind kind, long n, long k, int blockSize, Precision precision) {
        return switch (kind) {
            case UNIFORM -> Nystrom.bytesNeeded(n, k, precision);
            case LEVERAGE -> {
                long m0 = roughColumns(n, k, blockSize);
                long rough = Math.max(Nystrom.bytesNeeded(n, m0, Precision.FP64),
                        8 * n * m0 + LowRankFactor.bytesBeyondBasis(m0) + LowRankPreconditioner.panelBytes(n, m0, 0));
                yield Math.max(rough, Nystrom.bytesNeeded(n, k, precision));
            }
            case CHOLESKY -> PivotedCholesky.bytesNeeded(n, k, precision);
            case EIGEN -> DenseSpectrum.eigenBytesNeeded(n, k);
            case RANK_K_LEVERAGE -> DenseSpectrum.rankKLeverageBytesNeeded(n, k, precision);
            case BLOCK_JACOBI -> BlockJacobi.moleculesBytesNeeded(n, blockSize);
            case ATOM_JACOBI -> BlockJacobi.atomsBytesNeeded(n, blockSize);
            case NONE -> 0;
        };
    }
}
