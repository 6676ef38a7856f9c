package org.gdml4j.testsupport;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.MemorySpace;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * A backend whose memory the host may not touch, as if it were a GPU's, while it computes through {@link CpuBackend}:
 * every matrix and vector it allocates lives in its own {@link MemorySpace}, so any {@code get}, {@code set} or
 * {@code segment} by algorithm code throws, and data reaches the host only through its counted transfers. Each
 * operation unwraps its operands into host views and hands them to the CPU backend, so results are bit-identical to
 * the CPU backend's. Operands in host memory are refused (a real device could not read them either).
 */
public final class HostlessBackend implements Backend {
    private final CpuBackend cpu = CpuBackend.get();
    private final MemorySpace.Owner owner = MemorySpace.create("hostless test");
    private final AtomicLong transferred = new AtomicLong();
    private final AtomicLong transfers = new AtomicLong();
    private final MemoryBudget budget = MemoryBudget.host(-1);

    private final HostCompute hostCompute = new HostCompute() {
        @Override
        public Matrix view(Matrix m) {
            return h(m);
        }

        @Override
        public Vector view(Vector v) {
            return h(v);
        }

        @Override
        public Backend host() {
            return cpu;
        }
    };

    private final MixedPrecision mixed = new MixedPrecision() {
        @Override
        public void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
            cpu.mixedPrecision().orElseThrow().gemv(trans, alpha, h(a), h(x), beta, h(y));
        }

        @Override
        public void projectOut(Matrix a, Vector t, Vector z, Vector w) {
            cpu.mixedPrecision().orElseThrow().projectOut(h(a), t == null ? null : h(t), h(z), h(w));
        }
    };

    /** A host view of memory of this backend; host memory is refused. */
    private Matrix h(Matrix m) {
        if (m.space() != owner.space()) {
            throw new IllegalArgumentException("the hostless backend was given " + m + " (not its memory)");
        }
        return Matrix.wrap(owner.segment(m), m.rows(), m.cols(), m.ld(), m.precision());
    }

    private Vector h(Vector v) {
        if (v.space() != owner.space()) {
            throw new IllegalArgumentException("the hostless backend was given " + v + " (not its memory)");
        }
        return Vector.wrap(owner.segment(v), v.length(), v.inc(), v.precision());
    }

    private Vector[] h(Vector[] vs) {
        Vector[] out = new Vector[vs.length];
        for (int i = 0; i < vs.length; i++) {
            out[i] = h(vs[i]);
        }
        return out;
    }

    private void count(long bytes) {
        transferred.addAndGet(bytes);
        transfers.incrementAndGet();
    }

    /** Number of transfer calls so far (each upload, download or element access; scalar results of reductions too). */
    public long transferCount() {
        return transfers.get();
    }

    @Override
    public String name() {
        return "hostless (test; computes with " + cpu.name() + ")";
    }

    @Override
    public MemorySpace space() {
        return owner.space();
    }

    /** Its "device" memory is host memory from the workspace's arena: the allocator path a GPU backend takes. */
    @Override
    public Workspace workspace() {
        return Workspace.device(owner, budget, (bytes, zeroed, arena) -> arena.allocate(bytes, 64)); // arena memory is zeroed
    }

    @Override
    public MemoryBudget memory() {
        return budget;
    }

    @Override
    public Optional<HostCompute> hostCompute() {
        return Optional.of(hostCompute);
    }

    @Override
    public void upload(double[] src, Vector dst) {
        cpu.upload(src, h(dst));
        count(8L * src.length);
    }

    @Override
    public void download(Vector src, double[] dst) {
        cpu.download(h(src), dst);
        count(8L * dst.length);
    }

    @Override
    public void upload(Matrix host, Matrix dst) {
        if (!host.space().hostAccessible()) {
            throw new IllegalArgumentException("upload from " + host + ", which is not host memory");
        }
        cpu.upload(host, h(dst));
        count(host.rows() * host.cols() * host.precision().bytes());
    }

    @Override
    public void download(Matrix src, Matrix host) {
        if (!host.space().hostAccessible()) {
            throw new IllegalArgumentException("download into " + host + ", which is not host memory");
        }
        cpu.download(h(src), host);
        count(src.rows() * src.cols() * src.precision().bytes());
    }

    @Override
    public double getElement(Vector x, long i) {
        count(8);
        return cpu.getElement(h(x), i);
    }

    @Override
    public void setElement(Vector x, long i, double value) {
        count(8);
        cpu.setElement(h(x), i, value);
    }

    @Override
    public long transferredBytes() {
        return transferred.get();
    }

    // ---- results that come back to the host as scalars are counted as transfers too ----

    @Override
    public double dot(Vector x, Vector y) {
        count(8);
        return cpu.dot(h(x), h(y));
    }

    @Override
    public double nrm2(Vector x) {
        count(8);
        return cpu.nrm2(h(x));
    }

    @Override
    public double sum(Vector x) {
        count(8);
        return cpu.sum(h(x));
    }

    @Override
    public double maxAbs(Vector x) {
        count(8);
        return cpu.maxAbs(h(x));
    }

    @Override
    public IndexedValue maxIndex(Vector x) {
        count(16);
        return cpu.maxIndex(h(x));
    }

    @Override
    public void dots(Vector[] x, Vector[] y, double[] out) {
        count(8L * out.length);
        cpu.dots(h(x), h(y), out);
    }

    @Override
    public void setElements(Vector x, long[] indices, int count, double value) {
        count(8L * count);
        cpu.setElements(h(x), indices, count, value);
    }

    @Override
    public void gatherRows(Matrix src, long[] rows, Matrix dst) {
        count(8L * rows.length);
        cpu.gatherRows(h(src), rows, h(dst));
    }

    @Override
    public int potrf(Uplo uplo, Matrix a) {
        count(4);
        return cpu.potrf(uplo, h(a));
    }

    @Override
    public PivotedCholesky pstrf(Uplo uplo, Matrix a, double tol) {
        PivotedCholesky r = cpu.pstrf(uplo, h(a), tol);
        count(4L * r.piv().length + 8);
        return r;
    }

    @Override
    public int syevd(Uplo uplo, Matrix a, Vector w) {
        count(4);
        return cpu.syevd(uplo, h(a), h(w));
    }

    @Override
    public int gesdd(Matrix a, Vector s, Matrix u, Matrix vt) {
        count(4);
        return cpu.gesdd(h(a), h(s), h(u), h(vt));
    }

    // ---- everything else: device work, no host traffic ----

    @Override
    public void axpy(double alpha, Vector x, Vector y) {
        cpu.axpy(alpha, h(x), h(y));
    }

    @Override
    public void scal(double alpha, Vector x) {
        cpu.scal(alpha, h(x));
    }

    @Override
    public void copy(Vector x, Vector y) {
        cpu.copy(h(x), h(y));
    }

    @Override
    public void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
        cpu.gemv(trans, alpha, h(a), h(x), beta, h(y));
    }

    @Override
    public void symv(Uplo uplo, double alpha, Matrix a, Vector x, double beta, Vector y) {
        cpu.symv(uplo, alpha, h(a), h(x), beta, h(y));
    }

    @Override
    public void trsv(Uplo uplo, Trans trans, Diag diag, Matrix a, Vector x) {
        cpu.trsv(uplo, trans, diag, h(a), h(x));
    }

    @Override
    public void gemm(Trans transA, Trans transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        cpu.gemm(transA, transB, alpha, h(a), h(b), beta, h(c));
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c) {
        cpu.syrk(uplo, trans, alpha, h(a), beta, h(c));
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans trans, Diag diag, double alpha, Matrix a, Matrix b) {
        cpu.trsm(side, uplo, trans, diag, alpha, h(a), h(b));
    }

    @Override
    public void geqrf(Matrix a, Vector tau) {
        cpu.geqrf(h(a), h(tau));
    }

    @Override
    public void orgqr(Matrix a, Vector tau) {
        cpu.orgqr(h(a), h(tau));
    }

    @Override
    public void transpose(Matrix a, Matrix b) {
        cpu.transpose(h(a), h(b));
    }

    @Override
    public void axpby(double alpha, Vector x, double beta, Vector y) {
        cpu.axpby(alpha, h(x), beta, h(y));
    }

    @Override
    public void multiply(Vector x, Vector y, Vector z) {
        cpu.multiply(h(x), h(y), h(z));
    }

    @Override
    public void fill(Vector x, double value) {
        cpu.fill(h(x), value);
    }

    @Override
    public void copy(Matrix src, Matrix dst) {
        cpu.copy(h(src), h(dst));
    }

    @Override
    public void triangle(Uplo uplo, Matrix src, Matrix dst) {
        cpu.triangle(uplo, h(src), h(dst));
    }

    @Override
    public void symmetrize(Uplo from, Matrix a) {
        cpu.symmetrize(from, h(a));
    }

    @Override
    public void add(double c, Vector x) {
        cpu.add(c, h(x));
    }

    @Override
    public void addSquares(double alpha, Vector x, Vector y) {
        cpu.addSquares(alpha, h(x), h(y));
    }

    @Override
    public void rowSquares(Matrix a, Vector weights, double beta, Vector out) {
        cpu.rowSquares(h(a), weights == null ? null : h(weights), beta, h(out));
    }

    @Override
    public void columnDots(Matrix a, Matrix b, double beta, Vector out) {
        cpu.columnDots(h(a), h(b), beta, h(out));
    }

    @Override
    public Optional<MixedPrecision> mixedPrecision() {
        return Optional.of(mixed);
    }
}
