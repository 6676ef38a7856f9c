package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backends;
import org.gdml4j.linalg.CudaBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;

/**
 * The n x n force-field kernel K of M training geometries (n = 3·N·M, molecule-major rows and columns, the PSD sign of
 * docs/sgdml-formulas.md §3), as the solvers and preconditioners use it, on one backend's memory: products with
 * vectors, explicit columns, the diagonal and its 3N x 3N blocks, the dense matrix. One implementation per backend,
 * chosen by {@link #create}: {@link GdmlKernel} computes on the CPU (Vector API loops and BLAS over host views of the
 * backend's memory); for a device without an operator of its own, {@link StagedKernelOperator} moves the CPU kernel's
 * results to the device. Arguments are the backend's matrices and vectors.
 */
public interface KernelOperator extends AutoCloseable {
    /**
     * The kernel of {@code count} training geometries stored C-order (count, atoms, 3) float64 in host memory
     * {@code positions}, for the backend {@code be}.
     *
     * @throws org.gdml4j.error.InvalidInputException for σ ≤ 0, coinciding atoms, symmetries of another size
     */
    static KernelOperator create(Backend be, MemorySegment positions, int count, int atoms, Symmetries sym, double sigma) {
        if (be.hostCompute().isPresent()) {
            return GdmlKernel.create(be, positions, count, atoms, sym, sigma);
        }
        GdmlKernel host = GdmlKernel.create(Backends.select("cpu"), positions, count, atoms, sym, sigma);
        if (be instanceof CudaBackend cuda && "device".equals(System.getProperty(CudaKernelOperator.PROPERTY, "staged"))) {
            return new CudaKernelOperator(cuda, host); // the product on the GPU (not yet checked on one: opt-in)
        }
        // a device without a kernel operator of its own: the CPU kernel, its results staged to the device
        return new StagedKernelOperator(be, host);
    }

    /** n = 3·N·M. */
    long size();

    /** 3N: the rows and columns per training molecule. */
    int blockSize();

    /** M: the training molecules. */
    int molecules();

    /** D: the length of one descriptor. */
    int descriptorLength();

    /** out ← K v (both of length n, contiguous FP64; out must not alias v). */
    void apply(Vector v, Vector out);

    /** The kernel columns {@code indices} (sorted, distinct) into the columns of {@code view} (n x indices.length). */
    void columns(long[] indices, Matrix view);

    /** diag(K) into out (length n). */
    void diagonal(Vector out);

    /** The diagonal block K_ii (3N x 3N) of training molecule i into {@code out}. */
    void diagonalBlock(int i, Matrix out);

    /** The dense K into {@code view} (n x n, FP64, both triangles); {@code progress} gets the finished column molecules. */
    void assemble(Matrix view, IntConsumer progress);

    /** The training descriptors as a D x M column-major host array (the model's R_desc, transposed). */
    double[] trainingDescriptors();

    /** J_j α_j per training molecule as a D x M column-major host array (the model's R_d_desc_alpha, transposed). */
    double[] descriptorAlphas(double[] alphas);

    /** Bytes the operator holds. */
    long bytes();

    @Override
    void close();
}
