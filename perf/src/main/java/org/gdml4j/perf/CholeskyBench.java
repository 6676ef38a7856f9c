package org.gdml4j.perf;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

import org.gdml4j.kernel.GdmlKernel;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.precond.ColumnSource;
import org.gdml4j.precond.PivotedCholesky;
import org.gdml4j.solve.Progress;
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
 * The greedy pivoted-Cholesky steps (paper Algorithm 1) alone, on rMD17 aspirin M training geometries at k columns:
 * each step streams the columns before it once (the Schur gemv), {@link #bytesStreamed} in all, which {@link Report}
 * turns into GB/s beside the dgemv bandwidth probe of the same run. {@code kernelColumns} computes the same number
 * of single kernel columns without the Schur step: the part of a step that is not memory traffic.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class CholeskyBench {
    @Param({"250"})
    public int m;

    /** Columns as a fraction of n (0.147 is the rule-of-thumb k for aspirin M = 250). */
    @Param({"0.147"})
    public double fraction;

    private Backend be;
    private Arena arena;
    private Workspace ws;
    private GdmlKernel kernel;
    private Matrix l;
    private long[] pivots;

    @Setup(Level.Trial)
    public void setup() {
        be = PerfData.backend();
        arena = Arena.ofShared();
        kernel = PerfData.aspirinKernel(arena, m);
        int k = columns(m, fraction);
        ws = Workspace.shared();
        l = ws.matrix(kernel.size(), k, "L");
        pivots = new long[k];
        System.out.printf("%n[cholesky] M = %d, n = %d, k = %d, %.1f GB streamed by the Schur steps%n", m, kernel.size(), k,
                bytesStreamed(m, fraction) / 1e9);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
        ws.close();
        arena.close();
    }

    @Benchmark
    public int greedy() {
        return PivotedCholesky.factorColumns(be, ColumnSource.of(kernel), l, pivots, Progress.NONE);
    }

    @Benchmark
    public void kernelColumns() {
        ColumnSource src = ColumnSource.of(kernel);
        long n = kernel.size();
        for (int j = 0; j < l.cols(); j++) {
            src.columns(new long[] {(j * 7919L) % n}, l.columns(j, 1));
        }
    }

    static int columns(int m, double fraction) {
        return (int) Math.round(fraction * 3 * 21 * m);
    }

    /** Bytes the k Schur gemvs read: Σ_{j<k} n·j·8. */
    static double bytesStreamed(int m, double fraction) {
        double n = 3.0 * 21 * m;
        double k = columns(m, fraction);
        return n * k * (k - 1) / 2 * 8;
    }
}
