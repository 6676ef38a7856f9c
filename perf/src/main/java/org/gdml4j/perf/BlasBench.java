package org.gdml4j.perf;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
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
 * The foundation's ceilings, through gdml4j's own bindings on off-heap operands: dgemm n = 4096 (GFLOP/s, with
 * the kernels OpenBLAS autodetects and with those gdml4j selects, one JMH fork each), dpotrf n = 8192, and a
 * memory-bandwidth probe (dgemv over a 1 GiB matrix). Later targets are stated as fractions of these.
 * {@link Report} turns the times into rates.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class BlasBench {
    static final int GEMM_N = 4096;
    static final int POTRF_N = 8192;
    /** 1 GiB of doubles: 16384 rows x 8192 columns. */
    static final int GEMV_ROWS = 16384;
    static final int GEMV_COLS = 8192;

    @State(Scope.Benchmark)
    public static class Gemm {
        Backend be;
        Workspace ws;
        Matrix a;
        Matrix b;
        Matrix c;
        /** A device backend queues the product: the benchmark then waits for it with a one-element download. */
        boolean device;
        /** The operands as generated (in host memory), copied to the device where the backend's memory is not the host's. */
        Workspace host;

        @Setup(Level.Trial)
        public void setup() {
            be = PerfData.backend();
            ws = be.workspace();
            host = Workspace.shared();
            a = onDevice(be, ws, random(host, GEMM_N, GEMM_N, 1));
            b = onDevice(be, ws, random(host, GEMM_N, GEMM_N, 2));
            c = ws.matrix(GEMM_N, GEMM_N, "C");
            device = be.hostCompute().isEmpty();
            System.out.println("\n[blas] " + be.name());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ws.close();
            host.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Potrf {
        Backend be;
        Workspace ws;
        Matrix spd;
        Matrix work;

        @Setup(Level.Trial)
        public void setup() {
            be = PerfData.backend();
            ws = Workspace.shared();
            Matrix g = random(ws, POTRF_N, POTRF_N, 3);
            spd = ws.matrix(POTRF_N, POTRF_N, "SPD");
            be.syrk(Uplo.LOWER, Trans.NO, 1.0 / POTRF_N, g, 0.0, spd);
            for (int i = 0; i < POTRF_N; i++) {
                spd.set(i, i, spd.get(i, i) + 1.0);
            }
            work = ws.matrix(POTRF_N, POTRF_N, "work");
        }

        @Setup(Level.Invocation)
        public void restore() {
            work.segment().copyFrom(spd.segment());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ws.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Gemv {
        Backend be;
        Workspace ws;
        Matrix a;
        Vector x;
        Vector y;

        @Setup(Level.Trial)
        public void setup() {
            be = PerfData.backend();
            ws = Workspace.shared();
            a = random(ws, GEMV_ROWS, GEMV_COLS, 4);
            x = ws.vector(GEMV_COLS, "x");
            y = ws.vector(GEMV_ROWS, "y");
            be.fill(x, 1.0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ws.close();
        }
    }

    /** {@code host} copied into {@code ws} (the backend's memory), or itself where the backend's memory is the host's. */
    static Matrix onDevice(Backend be, Workspace ws, Matrix host) {
        if (ws.space().hostAccessible()) {
            return host;
        }
        Matrix m = ws.matrix(host.rows(), host.cols(), host.precision(), "benchmark operand");
        be.upload(host, m);
        return m;
    }

    static Matrix random(Workspace ws, int rows, int cols, long seed) {
        Matrix m = ws.matrix(rows, cols, "benchmark operand");
        Random r = new Random(seed);
        Vector v = m.asVector();
        for (long i = 0; i < v.length(); i++) {
            v.set(i, r.nextDouble() - 0.5);
        }
        return m;
    }

    /** dgemm 4096 with the kernels gdml4j selects (AVX-512 where the CPU has it). */
    @Benchmark
    public double dgemmSelected(Gemm s) {
        s.be.gemm(Trans.NO, Trans.NO, 1.0, s.a, s.b, 0.0, s.c);
        return s.device ? s.be.getElement(s.c.column(0), 0) : 0.0;
    }

    /** dgemm 4096 with the kernels OpenBLAS autodetects by itself. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Dgdml4j.openblas.coretype=auto"})
    public void dgemmAutodetected(Gemm s) {
        s.be.gemm(Trans.NO, Trans.NO, 1.0, s.a, s.b, 0.0, s.c);
    }

    @Benchmark
    @Measurement(iterations = 3)
    public int dpotrf(Potrf s) {
        return s.be.potrf(Backend.Uplo.LOWER, s.work);
    }

    /** y = A x over 1 GiB: memory-bound, reported as GB/s. */
    @Benchmark
    @Measurement(iterations = 10)
    public void dgemvBandwidth(Gemv s) {
        s.be.gemv(Trans.NO, 1.0, s.a, s.x, 0.0, s.y);
    }
}
