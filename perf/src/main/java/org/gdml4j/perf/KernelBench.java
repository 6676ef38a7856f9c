package org.gdml4j.perf;

import java.lang.foreign.Arena;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.gdml4j.kernel.GdmlKernel;
import org.gdml4j.kernel.KernelOperator;
import org.gdml4j.linalg.Backend;
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
 * The kernel product K·v (the hot path of PCG) on rMD17 aspirin (N = 21, D = 210, P = 6, σ = 10) for M training
 * geometries, on the benchmarks' device ({@code -Dgdml4j.device}; on a GPU each product ends with a one-element
 * download, so the time is the device's and not the launch queue's). Nominal work is 6·M²·P·D flops per product,
 * whatever the formulation; {@link Report} prints the rate beside the same run's dgemm.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class KernelBench {
    @Param({"250", "500", "1000"})
    public int m;

    private Arena arena;
    private Workspace ws;
    private Backend be;
    private KernelOperator kernel;
    private boolean device;
    private Vector v;
    private Vector out;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        be = PerfData.backend();
        kernel = PerfData.aspirinKernelOperator(arena, m, be);
        device = be.hostCompute().isEmpty();
        ws = be.workspace();
        v = ws.vector(kernel.size(), "v");
        out = ws.vector(kernel.size(), "Kv");
        be.upload(new Random(1).doubles(kernel.size()).map(x -> x - 0.5).toArray(), v);
        kernel.apply(v, out); // builds the coefficient cache outside the measurement
        System.out.printf("%n[kernel] M = %d, n = %d, on %s (%s), cached coefficients: %s, kernel memory %.1f MB%n", m, kernel.size(),
                be.name(), kernel.getClass().getSimpleName(), kernel instanceof GdmlKernel g ? g.productCached() : "on the device",
                kernel.bytes() / 1e6);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
        ws.close();
        arena.close();
    }

    @Benchmark
    public double apply() {
        kernel.apply(v, out);
        return device ? be.getElement(out, 0) : 0.0; // waits for the device
    }

    /** Nominal flops of one product. */
    static double nominalFlops(int m) {
        double d = 21 * 20 / 2.0;
        return 6.0 * m * m * 6 * d;
    }
}
