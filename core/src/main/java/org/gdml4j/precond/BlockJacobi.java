package org.gdml4j.precond;

import org.gdml4j.error.NumericalFailureException;
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
 * Each block B + λI is Cholesky-factored. The apply solves in place: a vector of length n = 3N·M seen as a 3N x M
 * matrix has molecule i's block as column i and atom a's block as rows 3a..3a+2 (a 3 x M view), so a block is a
 * view or one strided copy, never an element-by-element gather on the host.
 */
public final class BlockJacobi implements Preconditioner {
    private final Backend be;
    private final Workspace ws;
    private final Matrix[] chol;
    private final boolean atoms;
    private final int blockSize; // 3N
    private final Vector scratch;
    private final String name;

    private BlockJacobi(Backend be, Workspace ws, Matrix[] chol, boolean atoms, int blockSize, String name) {
        this.be = be;
        this.ws = ws;
        this.chol = chol;
        this.atoms = atoms;
        this.blockSize = blockSize;
        this.name = name;
        this.scratch = atoms && chol.length > 0 ? ws.vector(chol[0].rows(), "block scratch") : null;
    }

    /** One block per training molecule: K_ii (3N x 3N). */
    public static BlockJacobi molecules(Backend be, ColumnSource src, double lambda, Progress progress) {
        int b = src.blockSize();
        int m = (int) (src.size() / b);
        Workspace ws = be.workspace();
        try {
            Matrix[] chol = new Matrix[m];
            progress.start("block-Jacobi blocks", m, "molecules");
            for (int i = 0; i < m; i++) {
                chol[i] = ws.matrix(b, b, "block-Jacobi block");
                src.diagonalBlock(i, chol[i]);
                factor(be, chol[i], lambda);
                progress.update(i + 1);
            }
            progress.finish();
            return new BlockJacobi(be, ws, chol, false, b, "block-jacobi");
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /** Bytes {@link #molecules} allocates: M blocks of 3N x 3N (n·3N values). */
    public static long moleculesBytesNeeded(long n, int blockSize) {
        return 8 * n * blockSize;
    }

    /**
     * Bytes {@link #atoms} allocates at its peak: N blocks of 3M x 3M (n·3M values), the n x 3M columns of one atom
     * beside them while they are built, and the apply's 3 x M scratch.
     */
    public static long atomsBytesNeeded(long n, int blockSize) {
        long m3 = 3 * (n / blockSize);
        return 8 * n * m3 * 2 + 8 * m3;
    }

    /** One block per atom index a: rows/columns 3N·i + 3a + t for all molecules i and t (3M x 3M). */
    public static BlockJacobi atoms(Backend be, ColumnSource src, double lambda, Progress progress) {
        int b = src.blockSize();
        int atoms = b / 3;
        int m = (int) (src.size() / b);
        long[] index = new long[3 * m];
        Workspace ws = be.workspace();
        Matrix[] chol = new Matrix[atoms];
        progress.start("atom-Jacobi blocks", atoms, "atoms");
        try (Workspace tmp = be.workspace()) {
            Matrix cols = tmp.matrix(src.size(), 3L * m, "atom-block columns");
            for (int a = 0; a < atoms; a++) {
                for (int i = 0; i < m; i++) {
                    for (int t = 0; t < 3; t++) {
                        index[3 * i + t] = (long) i * b + 3L * a + t;
                    }
                }
                src.columns(index, cols);
                chol[a] = ws.matrix(3L * m, 3L * m, "atom-Jacobi block");
                be.gatherRows(cols, index, chol[a]);
                factor(be, chol[a], lambda);
                progress.update(a + 1);
            }
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
        progress.finish();
        return new BlockJacobi(be, ws, chol, true, b, "atom-jacobi");
    }

    private static void factor(Backend be, Matrix block, double lambda) {
        be.add(lambda, block.diagonal());
        int info = be.potrf(Uplo.LOWER, block);
        if (info != 0) {
            throw new NumericalFailureException("a Jacobi block is not positive definite (failed at column " + info + ")");
        }
    }

    @Override
    public void apply(Vector r, Vector z) {
        be.copy(r, z);
        Matrix zm = z.asMatrix(blockSize, z.length() / blockSize); // column i: molecule i
        for (int b = 0; b < chol.length; b++) {
            if (atoms) {
                Matrix rows = zm.block(3L * b, 0, 3, zm.cols()); // atom b of every molecule
                Matrix s = scratch.asMatrix(3, zm.cols());
                be.copy(rows, s);
                solve(chol[b], scratch);
                be.copy(s, rows);
            } else {
                solve(chol[b], zm.column(b));
            }
        }
    }

    /** x ← (L Lᵀ)⁻¹ x. */
    private void solve(Matrix l, Vector x) {
        be.trsv(Uplo.LOWER, Trans.NO, Diag.NON_UNIT, l, x);
        be.trsv(Uplo.LOWER, Trans.YES, Diag.NON_UNIT, l, x);
    }

    @Override
    public String describe() {
        return name + ", " + chol.length + " blocks of " + (chol.length == 0 ? 0 : chol[0].rows());
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
