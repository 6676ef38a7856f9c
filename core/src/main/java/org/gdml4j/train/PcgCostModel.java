package org.gdml4j.train;

import java.util.Locale;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Precision;

/**
 * Predicted seconds of a PCG solve with a rank-k column preconditioner on this machine, and the k that minimises them
 * ({@code --k-rule cost}, the default). Rates come from {@link MachineSpeed}'s probe (dgemm and streaming bandwidth,
 * measured once per machine and BLAS and cached); the constants below were fitted to aspirin M = 500 at k = 2,000 …
 * 5,000 (perf/README.md, "k against time" and "Cost-model k"):
 * <ul>
 * <li>build: 5nk² + 10k³ flops (Householder QR and Q, the FP32 basis's Gram matrix, the k x k eigenproblem and core
 * matrices; 4nk² for an FP64 factor) at 55 % of the dgemm rate, plus the leverage estimate and the columns, ≈ 5 s at
 * n = 31,500 and linear in n;
 * <li>iterations: the paper's power law n·(k_min/k)^m (Fig. 6; k_min = 100, m = 1 unless given), times a share that
 * depends on how PCG stops ({@link Stop});
 * <li>per iteration one kernel product, 6·M²·P·D flops at 65 % of the dgemm rate, and one preconditioner apply: a
 * fixed 3 ms + 0.2 µs·n (the vector operations and BLAS calls around it) and 8nk + 10k² bytes (two passes over the
 * FP32 basis, the k x k core) at 86 % of the probe's bandwidth (24nk bytes for an FP64 factor, which re-projects
 * about half the time).
 * </ul>
 * The build grows as k², the kernel products fall as 1/k and the applies stay nearly constant, so the optimum sits
 * where the build's growth meets the products' savings; it moves with the machine's dgemm-to-bandwidth ratio and with
 * the molecule (M, P, D), which a fixed rule of thumb cannot follow.
 */
final class PcgCostModel {
    /** How PCG ends, and the share of the power law's iterations that leaves (measured at aspirin M = 500). */
    enum Stop {
        /** rtol only. */
        RTOL(1.0),
        /** the validation stop: 700 of 920 iterations. */
        VALIDATION(0.76),
        /** the λ path with the validation stop ({@link LambdaPath}): 521, 621, 1,057 iterations at k = 2,320, 1,700, 1,200, where the law says 1,358, 1,853, 2,625. */
        LAMBDA_PATH(0.38);

        final double share;

        Stop(double share) {
            this.share = share;
        }

        static Stop of(SolveOptions o) {
            return o.lambdaPath() ? LAMBDA_PATH : o.stopsOnValidation() ? VALIDATION : RTOL;
        }
    }

    private final long n;
    private final int block;
    private final double rate;
    private final double bandwidth;
    private final double matvec;
    private final boolean fp32;
    private final double iterationShare;
    private final double kMin;
    private final double m;
    /** Where the rates came from ({@link MachineSpeed#source}), or null when they were given. */
    private String rateSource;

    PcgCostModel(Backend be, TrainingSet ts, Precision precision, Stop stop, Double kMin, Double m) {
        this(ts.count(), ts.atoms(), ts.symmetries().count(), MachineSpeed.gemmGflops(be) * 1e9, MachineSpeed.bandwidthBytesPerSecond(be),
                precision, stop, kMin, m);
        this.rateSource = MachineSpeed.source(be);
    }

    /** For M molecules of N atoms with P symmetries, at {@code rate} flop/s and {@code bandwidth} bytes/s. */
    PcgCostModel(long molecules, int atoms, int symmetries, double rate, double bandwidth, Precision precision, Stop stop,
            Double kMin, Double m) {
        this.n = 3L * atoms * molecules;
        this.block = 3 * atoms;
        this.rate = rate;
        this.bandwidth = bandwidth;
        double d = atoms * (atoms - 1) / 2.0;
        this.matvec = 6.0 * molecules * molecules * symmetries * d / (0.65 * rate);
        this.fp32 = precision == Precision.FP32;
        this.iterationShare = stop.share;
        this.kMin = kMin == null ? 100 : kMin;
        this.m = m == null ? 1 : m;
    }

    double buildSeconds(long k) {
        double flops = (fp32 ? 5.0 : 4.0) * n * k * k + 10.0 * k * k * k;
        return 5.0 * n / 31_500 + flops / (0.55 * rate);
    }

    double iterations(long k) {
        return Math.min(10.0 * n, iterationShare * n * Math.pow(kMin / Math.max(1, k), m));
    }

    double applySeconds(long k) {
        double bytes = fp32 ? 8.0 * n * k + 10.0 * k * k : 24.0 * n * k + 16.0 * k * k;
        return 3e-3 + 0.2e-6 * n + bytes / (0.86 * bandwidth);
    }

    double matvecSeconds() {
        return matvec;
    }

    double seconds(long k) {
        return buildSeconds(k) + iterations(k) * (matvec + applySeconds(k));
    }

    /** The k in [min(n, max(3N, 100)), kMax] with the least predicted time (a scan in steps of 1 %). */
    int bestK(long kMax) {
        long lo = Math.min(n, Math.max(block, 100));
        long hi = Math.max(lo, Math.min(n, kMax));
        long best = hi;
        double bestT = seconds(hi);
        for (double k = lo; k < hi; k *= 1.01) {
            double t = seconds((long) k);
            if (t < bestT) {
                bestT = t;
                best = (long) k;
            }
        }
        return Math.toIntExact(best);
    }

    String explain(int k) {
        return String.format(Locale.ROOT, "cost model: predicted %.0f s (build %.0f s, %.0f iterations of %.0f ms) from this machine's"
                + " dgemm %.0f GFLOP/s and bandwidth %.1f GB/s", seconds(k), buildSeconds(k), iterations(k),
                1e3 * (matvec + applySeconds(k)), rate / 1e9, bandwidth / 1e9) + (rateSource == null ? "" : "; " + rateSource);
    }
}
