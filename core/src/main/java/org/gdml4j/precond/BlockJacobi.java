package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Preconditioner;
import org.gdml4j.solve.Progress;

/**
 * Local (block-diagonal) preconditioners, the baselines of Appendix B 1 that show local preconditioning fails:
 * {@code block-jacobi} keeps one 3N x 3N block per training molecule; {@code atom-jacobi} keeps only the
 * correlations between the same atom index across all molecules (N blocks of 3M x 3M, on a permuted index set).
 * Each block B + λI is Cholesky-factored; the apply gathers, solves and scatters per block.
 */
public final class BlockJacobi implements Preconditioner {
    private final Backend be;
    private final Workspace ws;
    private final long[][] index; // index[b] = the rows/columns of block b
    private final Matrix[] chol;
    private final Vector[] scratch;
    private final String name;

    private BlockJacobi(Backend be, Workspace ws, long[][] index, Matrix[] chol, String name) {
        this.be = be;
        this.ws = ws;
        this.index = index;
        this.chol = chol;
        this.name = name;
        this.scratch = new Vector[index.length == 0 ? 0 : 1];
        if (index.length > 0) {
            int max = 0;
            for (long[] b : index) {
                max = Math.max(max, b.length);
            }
            scratch[0] = ws.vector(max, "block scratch");
        }
    }

    /** One block per training molecule: K_ii (3N x 3N). */
    public static BlockJacobi molecules(Backend be, ColumnSource src, double lambda, Progress progress) {
        int b = src.blockSize();
        int m = (int) (src.size() / b);
        long[][] index = new long[m][b];
        Workspace ws = Workspace.shared();
        Matrix[] chol = new Matrix[m];
        progress.start("block-Jacobi blocks", m, "molecules");
        for (int i = 0; i < m; i++) {
            for (int r = 0; r < b; r++) {
                index[i][r] = (long) i * b + r;
            }
            chol[i] = ws.matrix(b, b, "block-Jacobi block");
            src.diagonalBlock(i, chol[i]);
            factor(be, chol[i], lambda);
            progress.update(i + 1);
        }
        progress.finish();
        return new BlockJacobi(be, ws, index, chol, "block-jacobi");
    }

    /** One block per atom index a: rows/columns 3N·i + 3a + t for all molecules i and t (3M x 3M). */
    public static BlockJacobi atoms(Backend be, ColumnSource src, double lambda, Progress progress) {
        int b = src.blockSize();
        int atoms = b / 3;
        int m = (int) (src.size() / b);
        long[][] index = new long[atoms][3 * m];
        Workspace ws = Workspace.shared();
        Matrix[] chol = new Matrix[atoms];
        progress.start("atom-Jacobi blocks", atoms, "atoms");
        try (Workspace tmp = Workspace.shared()) {
            Matrix cols = tmp.matrix(src.size(), 3L * m, "atom-block columns");
            for (int a = 0; a < atoms; a++) {
                for (int i = 0; i < m; i++) {
                    for (int t = 0; t < 3; t++) {
                        index[a][3 * i + t] = (long) i * b + 3L * a + t;
                    }
                }
                src.columns(index[a], cols);
                chol[a] = ws.matrix(3L * m, 3L * m, "atom-Jacobi block");
                for (int c = 0; c < 3 * m; c++) {
                    for (int r = 0; r < 3 * m; r++) {
                        chol[a].set(r, c, cols.get(index[a][r], c));
                    }
                }
                factor(be, chol[a], lambda);
                progress.update(a + 1);
            }
        }
        progress.finish();
        return new BlockJacobi(be, ws, index, chol, "atom-jacobi");
    }

    private static void factor(Backend be, Matrix block, double lambda) {
        for (long i = 0; i < block.rows(); i++) {
            block.set(i, i, block.get(i, i) + lambda);
        }
        int info = be.potrf(Uplo.LOWER, block);
        if (info != 0) {
            throw new IllegalStateException("a Jacobi block is not positive definite (failed at column " + info + ")");
        }
    }

    @Override
    public void apply(Vector r, Vector z) {
        Vector s0 = scratch[0];
        for (int b = 0; b < index.length; b++) {
            long[] idx = index[b];
            Vector s = s0.slice(0, idx.length);
            for (int i = 0; i < idx.length; i++) {
                s.set(i, r.get(idx[i]));
            }
            be.trsv(Uplo.LOWER, Trans.NO, Diag.NON_UNIT, chol[b], s);
            be.trsv(Uplo.LOWER, Trans.YES, Diag.NON_UNIT, chol[b], s);
            for (int i = 0; i < idx.length; i++) {
                z.set(idx[i], s.get(i));
            }
        }
    }

    @Override
    public String describe() {
        return name + ", " + index.length + " blocks of " + (index.length == 0 ? 0 : index[0].length);
    }

    @Override
    public long bytes() {
        return ws.bytes();
    }

    @Override
    public void close() {
        ws.close();
    }
}
