package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Preconditioner;

/**
 * The contract of every low-rank preconditioner P = K̂ + λI, K̂ = W diag(s²) Wᵀ with W (n x k) orthonormal to FP64
 * accuracy, whatever the storage of W: FP64 ({@link LowRankFactor}: W = QU) or the FP32 split basis
 * ({@link SinglePrecisionFactor}: W̃ = [W₁, (I − W₁W₁ᵀ)Q̃V]). This class holds what does not depend on the storage
 * and does it once: the stable Woodbury apply ({@link #apply}), the ridge leverage scores and a square root of K̂ by
 * row panels of W. A storage only says how to reach W, through the basis operations below; growth
 * ({@link PreconditionerBuilder#grower}) sees nothing else, so it treats both storages alike.
 *
 * <p>The apply (paper eq. 4 in a numerically stable form; {@link LowRankFactor}'s class comment derives it) is
 * <pre>
 *   plain:        λP⁻¹v = v − W diag(s²/(s² + λ)) Wᵀv
 *   re-projected: v_⊥ = v − WWᵀv,  λP⁻¹v = v_⊥ + W(ι∘Wᵀ(v + v_⊥)) − WWᵀv_⊥,  ι = λ/(s² + λ)
 * </pre>
 * The plain form's backward error is about (‖v‖/‖v_⊥‖)·ε‖P‖‖x‖: the rounding of v − WWᵀv, of size ε‖v‖, is
 * amplified by 1/λ. When v lies almost inside range(W) (‖v_⊥‖² below {@link #reprojectBelow()}·‖v‖², a threshold
 * of the storage: see its comment) the complement is re-projected once more and x is assembled from the accurate
 * parts. A storage works in its own coordinates y (standing for Wᵀv, with ‖y‖ = ‖Wᵀv‖ up to its rounding) and
 * coefficients t (standing for the vector Wt' it expands to), which lets it keep W unformed: FP64 reads Q and the
 * k x k U, FP32 reads Q̃ (once fused with the re-projection) and two k x k triangles.
 */
public abstract class LowRankPreconditioner implements Preconditioner {
    /** Which diagonal {@link #weigh} applies in W's eigen-coordinates. */
    enum Weights {
        /** s²/(s² + λ): the plain form's W diag(s²/(s² + λ)) Wᵀv. */
        DAMPED,
        /** 1: the projection WWᵀv. */
        ONE,
        /** λ/(s² + λ) on y minus 1 on y2: the re-projected form's W(ι∘Wᵀ(v + v_⊥)) − WWᵀv_⊥. */
        INVERSE
    }

    final Backend be;
    final Workspace ws;
    /** The λ of P = K̂ + λI now ({@link #shift}); never below {@link #builtLambda}. */
    double lambda;
    /** The λ it was built for: a storage chose its rounding for it, which stays accurate for every larger λ. */
    private final double builtLambda;
    final String label;
    private final double[] s2;
    /** s²/(s² + λ) and λ/(s² + λ), descending s² (a storage may use only a part of them). */
    final Vector weights;
    final Vector inverse;
    private final Vector y;
    private final Vector y2;
    private final Vector t;
    private long applies;
    private long reprojections;

    /**
     * {@code ws} owns the factor and, from here, the apply's scratch: the weights and three vectors of
     * {@code coordinates} elements ({@link #applyBytes}, which the build paths' memory declarations count).
     */
    LowRankPreconditioner(Backend be, Workspace ws, double[] s2, double lambda, String label, int coordinates) {
        this.be = be;
        this.ws = ws;
        this.s2 = s2.clone();
        this.lambda = lambda;
        this.builtLambda = lambda;
        this.label = label;
        int k = s2.length;
        this.weights = ws.vector(Math.max(1, k), "Woodbury weights").slice(0, k);
        this.inverse = ws.vector(Math.max(1, k), "Woodbury inverse weights").slice(0, k);
        this.y = ws.vector(coordinates, "Woodbury coordinates");
        this.y2 = ws.vector(coordinates, "Woodbury coordinates");
        this.t = ws.vector(coordinates, "Woodbury coefficients");
        uploadWeights();
    }

    private void uploadWeights() {
        int k = s2.length;
        double[] w = new double[k];
        double[] inv = new double[k];
        for (int i = 0; i < k; i++) {
            w[i] = s2[i] / (s2[i] + lambda);
            inv[i] = lambda / (s2[i] + lambda); // the range(W) part of λP⁻¹
        }
        be.upload(w, weights);
        be.upload(inv, inverse);
    }

    /**
     * Makes this P = K̂ + λ'I for another regulariser λ' (the λ path of {@link org.gdml4j.precond}'s callers: solve at a
     * larger λ first, then a smaller one from there). K̂ does not depend on λ, so only the Woodbury weights (k numbers) and
     * what a storage derives from them change: O(k²) work, no kernel columns. λ' may not go below the λ it was built for,
     * for which a storage chose its rounding (larger λ only relaxes it).
     */
    public final void shift(double newLambda) {
        if (!(newLambda >= builtLambda) || Double.isInfinite(newLambda)) {
            throw new IllegalArgumentException("shift: lambda " + newLambda + " is below the " + builtLambda + " this preconditioner was built for");
        }
        lambda = newLambda;
        uploadWeights();
        lambdaChanged();
    }

    /** The λ of P now. */
    public final double lambda() {
        return lambda;
    }

    /** Recomputes what the storage derived from λ (called by {@link #shift} after the weights). */
    void lambdaChanged() {
    }

    /** Bytes of the weights and the apply's scratch allocated by the constructor, for {@code coordinates} elements. */
    static long applyBytes(long k, long coordinates) {
        return 16 * Math.max(1, k) + 24 * coordinates;
    }

    // ---- what a storage provides ----

    /** The length of the coordinate and coefficient vectors. */
    abstract int coordinates();

    /** Re-project when ‖v_⊥‖² < this·‖v‖²: the point where the plain form's error exceeds what the storage keeps anyway. */
    abstract double reprojectBelow();

    /** y ← the coordinates of v (standing for Wᵀv). */
    abstract void project(Vector v, Vector y);

    /** t ← the coefficients of W diag(ω) Wᵀ(·) from coordinates y (and y2 for {@link Weights#INVERSE}); y is kept. */
    abstract void weigh(Weights which, Vector y, Vector y2, Vector t);

    /** z ← z + α·(the vector t stands for). */
    abstract void combine(double alpha, Vector t, Vector z);

    /** z ← z − (the vector t stands for), then y2 ← the coordinates of the new z (in one sweep where the storage can). */
    abstract void projectOut(Vector t, Vector z, Vector y2);

    /** Rows [r0, r0 + out.rows()) of W into {@code out} (FP64, k columns); {@code scratch} has as many rows and {@link #rowScratchColumns()} columns. */
    abstract void basisRows(long r0, Matrix out, Matrix scratch);

    /** Columns of the scratch panel {@link #basisRows} needs (0: none). */
    abstract long rowScratchColumns();

    /** Rows n of W. */
    abstract long size();

    /** The storage, for {@link #describe()}: "fp64", "fp32, 7 dominant directions in fp64". */
    abstract String storage();

    // ---- the one implementation of each operation ----

    /** z ← P⁻¹v (the class comment's form). */
    @Override
    public final void apply(Vector v, Vector z) {
        applies++;
        project(v, y);
        double nv = be.nrm2(v);
        double ny = be.nrm2(y);
        be.copy(v, z);
        if (nv * nv - ny * ny >= reprojectBelow() * nv * nv) {
            weigh(Weights.DAMPED, y, null, t);
            combine(-1.0, t, z);
        } else {
            reprojections++;
            weigh(Weights.ONE, y, null, t);
            projectOut(t, z, y2); // z = v_⊥, y2 its coordinates
            be.axpy(1.0, y2, y); // coordinates of v + v_⊥
            weigh(Weights.INVERSE, y, y2, t);
            combine(1.0, t, z);
        }
        be.scal(1.0 / lambda, z);
    }

    /**
     * Ridge leverage scores of K̂: τ = diag(K̂(K̂ + λI)⁻¹) = Σ_j W_ij² s_j²/(s_j² + λ) (docs/sgdml-formulas.md §8), by row
     * panels of W; the n scores come to the host once (for the sampling).
     */
    public final double[] leverageScores() {
        long n = size();
        double[] tau = new double[Math.toIntExact(n)];
        try (Workspace tmp = be.workspace()) {
            Vector scores = tmp.vector(n, "leverage scores");
            forEachRowPanel(tmp, (panel, r0) -> be.rowSquares(panel, weights, 0.0, scores.slice(r0, panel.rows())));
            be.download(scores, tau);
        }
        return tau;
    }

    /**
     * f ← W diag(s) (n x k, FP64, any leading dimension): F Fᵀ = K̂ of this preconditioner, which is what continuing
     * the greedy steps of a pivoted Cholesky needs ({@link PivotedCholesky#extend}). Formed by row panels in place.
     */
    public final void squareRootInto(Matrix f) {
        int k = s2.length;
        if (f.rows() != size() || f.cols() != k) {
            throw new IllegalArgumentException("squareRootInto: need " + size() + " x " + k + ", got " + f);
        }
        try (Workspace tmp = be.workspace()) {
            long panel = panelRows(size(), k);
            Matrix scratch = tmp.matrix(panel, Math.max(1, rowScratchColumns()), "basis panel scratch");
            for (long r0 = 0; r0 < size(); r0 += panel) {
                long rows = Math.min(panel, size() - r0);
                basisRows(r0, f.block(r0, 0, rows, k), scratch.block(0, 0, rows, scratch.cols()));
            }
        }
        for (int j = 0; j < k; j++) {
            be.scal(Math.sqrt(s2[j]), f.column(j));
        }
    }

    /** Rows per panel of W: about 32 MB of FP64. */
    static long panelRows(long n, long k) {
        return Math.max(64, Math.min(n, (32L << 20) / Math.max(1, k * 8)));
    }

    /** Bytes {@link #leverageScores} and {@link #squareRootInto} allocate (n scores; one or two panels of W). */
    static long panelBytes(long n, long k, long scratchColumns) {
        long panel = panelRows(n, k);
        return 8 * n + 8 * panel * (k + Math.max(1, scratchColumns));
    }

    private void forEachRowPanel(Workspace tmp, java.util.function.ObjLongConsumer<Matrix> body) {
        long n = size();
        int k = s2.length;
        long panel = panelRows(n, k);
        Matrix wp = tmp.matrix(panel, Math.max(1, k), "basis panel");
        Matrix scratch = tmp.matrix(panel, Math.max(1, rowScratchColumns()), "basis panel scratch");
        for (long r0 = 0; r0 < n; r0 += panel) {
            long rows = Math.min(panel, n - r0);
            Matrix w = wp.block(0, 0, rows, k);
            basisRows(r0, w, scratch.block(0, 0, rows, scratch.cols()));
            body.accept(w, r0);
        }
    }

    /** Eigenvalues s² of K̂ (descending). */
    public final double[] eigenvalues() {
        return s2.clone();
    }

    /** What it was built as ("cholesky", "leverage", ...). */
    final String label() {
        return label;
    }

    @Override
    public final long rank() {
        return s2.length;
    }

    @Override
    public final String describe() {
        return label + ", k = " + rank() + " (" + storage() + (reprojections > 0 ? ", " + reprojections + " of " + applies
                + " applies re-projected" : "") + ")";
    }

    @Override
    public final long bytes() {
        return ws.bytes();
    }

    @Override
    public void close() {
        ws.close();
    }
}
