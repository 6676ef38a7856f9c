package org.gdml4j.perf;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

import org.gdml4j.kernel.GdmlKernel;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The kernel's explicit entries other than single columns (those are {@link CholeskyBench#kernelColumns}), on rMD17
 * aspirin M training geometries: the dense assembly of the closed form, the diagonal, every diagonal block
 * (block-Jacobi) and a batch of 200 scattered columns (a sampled Nyström preconditioner's request: one to a few
 * columns from each of many molecules). Compare builds by running both back to back.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class KernelBlocksBench {
    @Param({"100"})
    public int m;

    private Arena arena;
    private Workspace ws;
    private GdmlKernel kernel;
    private Matrix dense;
    private Vector diag;
    private Matrix block;
    private long[] batch;
    private Matrix cols;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        kernel = PerfData.aspirinKernel(arena, m);
        ws = Workspace.shared();
        long n = kernel.size();
        dense = ws.matrix(n, n, "K");
        diag = ws.vector(n, "diag");
        block = ws.matrix(kernel.blockSize(), kernel.blockSize(), "K_ii");
        batch = new long[200];
        for (int c = 0; c < batch.length; c++) {
            batch[c] = (c * 7919L) % n;
        }
        java.util.Arrays.sort(batch);
        cols = ws.matrix(n, batch.length, "columns");
        System.out.printf("%n[blocks] M = %d, n = %d%n", m, n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
        ws.close();
        arena.close();
    }

    @Benchmark
    public void assemble() {
        kernel.assemble(dense, null);
    }

    @Benchmark
    public void diagonal() {
        kernel.diagonal(diag);
    }

    @Benchmark
    public void diagonalBlocks() {
        for (int i = 0; i < m; i++) {
            kernel.diagonalBlock(i, block);
        }
    }

    @Benchmark
    public void columnBatch() {
        kernel.columns(batch, cols);
    }
}
