package org.gdml4j.kernel;

import java.util.function.IntConsumer;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * The kernel operator for a backend whose memory the CPU cannot address (a GPU) until that backend brings its own: the
 * CPU kernel ({@link GdmlKernel}) computes every product, column and block in host memory, and the results cross with
 * the backend's counted transfers. The solvers and preconditioners still run on the device; each product moves 2n
 * doubles, each column n. The product's host vectors are made once; columns pass through a host buffer of at most
 * {@link #CHUNK_BYTES} per call, blocks through one of their own size.
 */
final class StagedKernelOperator implements KernelOperator {
    private final Backend device;
    private final GdmlKernel host;
    private final Workspace ws;
    private final Vector in;
    private final Vector out;
    private final long chunkBytes;

    StagedKernelOperator(Backend device, GdmlKernel host) {
        this(device, host, CHUNK_BYTES);
    }

    /** As above with another column chunk size (tests split a few columns into several chunks). */
    StagedKernelOperator(Backend device, GdmlKernel host, long chunkBytes) {
        this.chunkBytes = chunkBytes;
        this.device = device;
        this.host = host;
        this.ws = host.hostBackend().workspace();
        this.in = ws.vector(host.size(), "staged kernel product input");
        this.out = ws.vector(host.size(), "staged kernel product output");
    }

    @Override
    public long size() {
        return host.size();
    }

    @Override
    public int blockSize() {
        return host.blockSize();
    }

    @Override
    public int molecules() {
        return host.molecules();
    }

    @Override
    public int descriptorLength() {
        return host.descriptorLength();
    }

    @Override
    public void apply(Vector v, Vector result) {
        long n = size();
        device.download(v.asMatrix(n, 1), in.asMatrix(n, 1));
        host.apply(in, out);
        device.upload(out.asMatrix(n, 1), result.asMatrix(n, 1));
    }

    /** Host memory for one chunk of staged columns: a preconditioner's n x k columns never sit on the host at once. */
    static final long CHUNK_BYTES = 256L << 20;

    @Override
    public void columns(long[] indices, Matrix view) {
        if (view.cols() != indices.length) {
            throw new IllegalArgumentException("columns: " + indices.length + " indices into " + view);
        }
        long rowBytes = Math.max(1, view.rows() * view.precision().bytes());
        int chunk = (int) Math.max(1, Math.min(indices.length, chunkBytes / rowBytes));
        try (Workspace tmp = host.hostBackend().workspace()) {
            Matrix h = tmp.uninitializedMatrix(view.rows(), chunk, view.precision(), "staged kernel columns");
            for (int c0 = 0; c0 < indices.length; c0 += chunk) {
                int c1 = Math.min(indices.length, c0 + chunk);
                Matrix part = h.columns(0, c1 - c0);
                host.columns(java.util.Arrays.copyOfRange(indices, c0, c1), part);
                device.upload(part, view.columns(c0, c1 - c0));
            }
        }
    }

    @Override
    public void diagonal(Vector result) {
        host.diagonal(out);
        double[] d = out.toArray();
        device.upload(d, result);
    }

    @Override
    public void diagonalBlock(int i, Matrix result) {
        try (Workspace tmp = host.hostBackend().workspace()) {
            Matrix h = tmp.matrix(result.rows(), result.cols(), result.precision(), "staged diagonal block");
            host.diagonalBlock(i, h);
            device.upload(h, result);
        }
    }

    @Override
    public void assemble(Matrix view, IntConsumer progress) {
        try (Workspace tmp = host.hostBackend().workspace()) {
            Matrix h = tmp.uninitializedMatrix(view.rows(), view.cols(), view.precision(), "staged dense kernel");
            host.assemble(h, progress);
            device.upload(h, view);
        }
    }

    @Override
    public double[] trainingDescriptors() {
        return host.trainingDescriptors();
    }

    @Override
    public double[] descriptorAlphas(double[] alphas) {
        return host.descriptorAlphas(alphas);
    }

    @Override
    public long bytes() {
        return host.bytes() + ws.bytes();
    }

    @Override
    public void close() {
        ws.close();
        host.close();
    }
}
