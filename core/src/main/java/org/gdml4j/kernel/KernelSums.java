package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Parallel;
import org.gdml4j.linalg.Workspace;

/**
 * The O(M·P·D)-per-query sums at the heart of both the kernel product and prediction, in the GEMM
 * formulation of docs/sgdml-formulas.md §4. For query descriptors x_q and the P-fold permuted training set
 * {x'_{jp} = P_p x_j, w'_{jp} = P_p w_j}, with d = x_q − x'_{jp}:
 * <pre>
 *   u_q = Σ_jp a·w'_jp − b·d (d·w'_jp)        E_q = Σ_jp a (d·w'_jp)
 * </pre>
 * Using ‖d‖² = ‖x_q‖² + ‖x_j‖² − 2 x'·x_q and d·w' = x_q·w' − x_j·w_j (permutations preserve dot
 * products), u = [W' | X'] [A; C] − x_q Σ C with A = a, C = b∘(d·w'): two GEMMs per product (T = W'ᵀX_q and
 * the stacked one) plus one fused element-wise pass. The Gram-based coefficients a, b depend only on the
 * descriptors and are cached per {@link QueryPlan} when they fit, else recomputed tile by tile (one more
 * GEMM and the exps per product), so the working set stays O(M·P·D + tile).
 */
public final class KernelSums {
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Bytes of coefficient tiles per batch when they are not cached. */
    static final long TILE_BYTES = 96L << 20;

    private final Backend be;
    private final Workspace ws;
    private final Matern52 matern;
    private final Matrix trainX;
    private final Symmetries sym;
    private final int d;
    private final int mp;
    private final Matrix wxp;
    private final Matrix wp;
    private final Matrix xp;
    private final double[] normsP;
    private final double[] sP;

    /**
     * Builds the permuted training descriptors X' (D x M·P, column j·P + p = P_p x_j) in {@code ws} from the
     * training descriptors {@code trainX} (D x M, e.g. a model's {@code R_desc}).
     */
    public KernelSums(Backend be, Workspace ws, Matrix trainX, Symmetries sym, double sigma) {
        if (sym.pairs().size() != trainX.rows()) {
            throw new IllegalArgumentException("symmetries are for descriptors of length " + sym.pairs().size()
                    + ", training descriptors have " + trainX.rows());
        }
        this.be = be;
        this.ws = ws;
        this.matern = new Matern52(sigma);
        this.trainX = trainX;
        this.sym = sym;
        this.d = (int) trainX.rows();
        int m = Math.toIntExact(trainX.cols());
        int p = sym.count();
        this.mp = Math.multiplyExact(m, p);
        this.wxp = ws.matrix(d, 2L * mp, "permuted training descriptors");
        this.wp = wxp.columns(0, mp);
        this.xp = wxp.columns(mp, mp);
        this.normsP = new double[mp];
        this.sP = new double[mp];
        Matrix x = trainX;
        permuteInto(x, xp);
        for (int j = 0; j < m; j++) {
            double n2 = be.dot(x.column(j), x.column(j));
            for (int q = 0; q < p; q++) {
                normsP[j * p + q] = n2;
            }
        }
    }

    public double sigma() {
        return matern.sigma();
    }

    /** M·P: the training axis length. */
    public int trainingColumns() {
        return mp;
    }

    /** Sets the weights (D x M, column j = w_j): W'[:, jP+p] = P_p w_j and s_j = x_j·w_j. */
    public void setWeights(Matrix w) {
        if (w.rows() != d || w.cols() != trainX.cols()) {
            throw new IllegalArgumentException("weights must be " + d + " x " + trainX.cols() + ", got " + w);
        }
        permuteInto(w, wp);
        int p = sym.count();
        Matrix x = trainX;
        for (int j = 0; j < trainX.cols(); j++) {
            double s = be.dot(x.column(j), w.column(j));
            for (int q = 0; q < p; q++) {
                sP[j * p + q] = s;
            }
        }
    }

    private void permuteInto(Matrix src, Matrix dst) {
        int p = sym.count();
        MemorySegment s = seg(src);
        MemorySegment t = seg(dst);
        Parallel.forRange(src.cols(), 32, (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                long from = j * src.ld();
                for (int q = 0; q < p; q++) {
                    int[] map = sym.descriptorMap(q);
                    long to = (j * p + q) * dst.ld();
                    for (int k = 0; k < d; k++) {
                        t.setAtIndex(D8, to + k, s.getAtIndex(D8, from + map[k]));
                    }
                }
            }
        });
    }

    /**
     * Prepares sums over fixed queries (D x nq descriptors). If the coefficient tiles (3·M·P·nq doubles)
     * fit in {@code cacheBytes} they are computed now and kept; otherwise each call recomputes them in tiles
     * of {@link #TILE_BYTES}. The plan's buffers live in {@code where} (and die with it).
     */
    public QueryPlan plan(Workspace where, Matrix queries, long cacheBytes) {
        return new QueryPlan(where, queries, cacheBytes);
    }

    /**
     * u ← Σ_jp a w' − b d (d·w') for every query column (u is D x nq), and, if {@code energies} is not null,
     * energies[q] ← Σ_jp a (d·w'). Uses the weights of the last {@link #setWeights}.
     */
    public void sums(QueryPlan plan, Matrix u, double[] energies) {
        Matrix xq = plan.queries;
        if (u.rows() != d || u.cols() != xq.cols()) {
            throw new IllegalArgumentException("output must be " + d + " x " + xq.cols() + ", got " + u);
        }
        for (int bi = 0; bi < plan.batches; bi++) {
            int q0 = bi * plan.batch;
            int nb = (int) Math.min(plan.batch, xq.cols() - q0);
            Matrix ac = plan.cached ? plan.ac[bi] : plan.ac[0].columns(0, nb);
            Matrix b = plan.cached ? plan.b[bi] : plan.b[0].columns(0, nb);
            Matrix a = ac.block(0, 0, mp, nb);
            Matrix t = ac.block(mp, 0, mp, nb);
            Matrix xb = xq.columns(q0, nb);
            if (!plan.cached) {
                coefficients(xb, plan.normsQ, q0, a, b);
            }
            be.gemm(Trans.YES, Trans.NO, 1.0, wp, xb, 0.0, t);
            double[] colSumC = new double[nb];
            Parallel.forRange(nb, 8, (lo, hi) -> {
                double[] sums = new double[2];
                for (long q = lo; q < hi; q++) {
                    Matern52.projections(seg(t), q * t.ld(), seg(b), q * b.ld(), seg(a), q * a.ld(), sP, mp, sums);
                    colSumC[(int) q] = sums[0];
                    if (energies != null) {
                        energies[(int) (q0 + q)] = sums[1];
                    }
                }
            });
            Matrix ub = u.columns(q0, nb);
            be.gemm(Trans.NO, Trans.NO, 1.0, wxp, ac, 0.0, ub);
            for (int q = 0; q < nb; q++) {
                be.axpy(-colSumC[q], xb.column(q), ub.column(q));
            }
        }
    }

    /** a (in place of the Gram tile) and b for a batch of queries. */
    private void coefficients(Matrix xb, double[] normsQ, int q0, Matrix a, Matrix b) {
        be.gemm(Trans.YES, Trans.NO, 1.0, xp, xb, 0.0, a);
        Parallel.forRange(xb.cols(), 8, (lo, hi) -> {
            for (long q = lo; q < hi; q++) {
                matern.fromGram(seg(a), q * a.ld(), seg(b), q * b.ld(), normsP, normsQ[(int) (q0 + q)], mp);
            }
        });
    }

    private static MemorySegment seg(Matrix m) {
        return m.segment();
    }

    /** Fixed queries with their (possibly cached) coefficient tiles. */
    public final class QueryPlan {
        private final Matrix queries;
        private final double[] normsQ;
        private final boolean cached;
        private final int batch;
        private final int batches;
        private final Matrix[] ac;
        private final Matrix[] b;

        private QueryPlan(Workspace where, Matrix queries, long cacheBytes) {
            if (queries.rows() != d) {
                throw new IllegalArgumentException("queries must have " + d + " rows, got " + queries);
            }
            this.queries = queries;
            int nq = Math.toIntExact(queries.cols());
            normsQ = new double[nq];
            for (int q = 0; q < nq; q++) {
                normsQ[q] = be.dot(queries.column(q), queries.column(q));
            }
            long perQuery = 3L * mp * 8;
            cached = nq > 0 && perQuery * nq <= cacheBytes;
            batch = Math.max(1, cached ? nq : (int) Math.min(nq, Math.max(1, TILE_BYTES / perQuery)));
            batches = nq == 0 ? 0 : (nq + batch - 1) / batch;
            int buffers = cached ? batches : Math.min(1, batches);
            ac = new Matrix[buffers];
            b = new Matrix[buffers];
            for (int i = 0; i < buffers; i++) {
                int nb = Math.min(batch, nq - i * batch);
                ac[i] = where.matrix(2L * mp, nb, "kernel coefficients");
                b[i] = where.matrix(mp, nb, "kernel coefficients");
                if (cached) {
                    coefficients(queries.columns((long) i * batch, nb), normsQ, i * batch, ac[i].block(0, 0, mp, nb), b[i]);
                }
            }
        }

        public boolean cached() {
            return cached;
        }

        /** Bytes of coefficient storage this plan holds. */
        public long bytes() {
            long s = 0;
            for (int i = 0; i < ac.length; i++) {
                s += (ac[i].rows() * ac[i].cols() + b[i].rows() * b[i].cols()) * 8;
            }
            return s;
        }
    }
}
