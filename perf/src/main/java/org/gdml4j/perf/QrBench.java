package org.gdml4j.perf;

import java.util.concurrent.TimeUnit;

import org.gdml4j.linalg.Backend;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Householder QR of the Nyström preconditioner's columns at aspirin M = 500 size (n = 31,500 rows, the rule's
 * k = 3,674 columns): LAPACK's dgeqrf and dorgqr (reference LAPACK in OpenBLAS) against gdml4j's blocked forms, on the
 * same random matrix (the LAPACK variants run in forks with {@code -Dgdml4j.qr=lapack}, so their reflectors come from
 * LAPACK's dgeqrf). {@link Report} prints GFLOP/s (2nk² − 2k³/3 flops for each) and the
 * ratio to dgemm of the same run.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class QrBench {
    static final int ROWS = 31_500;
    static final int COLS = 3_674;

    static double flops() {
        return 2.0 * ROWS * COLS * COLS - 2.0 * COLS * COLS * COLS / 3;
    }

    @State(Scope.Benchmark)
    public static class Reflectors {
        Backend be;
        Workspace ws;
        Matrix original;
        Matrix reflectors;
        Matrix work;
        Vector tau;
        /** Scalars written by the factorisation benchmarks (tau stays the one of the reflectors). */
        Vector tau2;

        @Setup(Level.Trial)
        public void setup() {
            be = PerfData.backend();
            ws = Workspace.shared();
            original = BlasBench.random(ws, ROWS, COLS, 5);
            reflectors = ws.matrix(ROWS, COLS, "reflectors");
            reflectors.segment().copyFrom(original.segment());
            tau = ws.vector(COLS, "tau");
            be.geqrf(reflectors, tau);
            work = ws.matrix(ROWS, COLS, "work");
            tau2 = ws.vector(COLS, "tau (factorisation benchmarks)");
        }

        /** Q formation starts from the reflectors, the factorisation from the original matrix. */
        @Setup(Level.Invocation)
        public void restore(org.openjdk.jmh.infra.BenchmarkParams params) {
            work.segment().copyFrom(params.getBenchmark().contains("geqrf") ? original.segment() : reflectors.segment());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ws.close();
        }
    }

    @Benchmark
    public Matrix geqrfBlocked(Reflectors s) {
        s.be.geqrf(s.work, s.tau2);
        return s.work;
    }

    /** The same call in a JVM where {@code -Dgdml4j.qr=lapack} makes gdml4j use LAPACK's dgeqrf at every size. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dgdml4j.qr=lapack"})
    public Matrix geqrfLapack(Reflectors s) {
        return geqrfBlocked(s);
    }

    @Benchmark
    public Matrix orgqrBlocked(Reflectors s) {
        s.be.orgqr(s.work, s.tau);
        return s.work;
    }

    /** The same call in a JVM where {@code -Dgdml4j.qr=lapack} makes gdml4j use LAPACK's dorgqr at every size. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dgdml4j.qr=lapack"})
    public Matrix orgqrLapack(Reflectors s) {
        return orgqrBlocked(s);
    }
}
