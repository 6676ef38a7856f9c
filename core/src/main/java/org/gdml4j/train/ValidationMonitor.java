package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

import org.gdml4j.io.Dataset;
import org.gdml4j.kernel.KernelOperator;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.solve.Pcg;

/**
 * The accuracy-aware stop of PCG (issue #16): every {@link #EVERY} iterations the current coefficients predict the
 * forces of a fixed subset of the task's validation frames, and CG stops once their mean absolute error has settled:
 * over the last tenth of the iterations (at least {@link #MIN_WINDOW}) it improved by less than {@link #SETTLED} of
 * itself, and the residual is below {@link #MAX_RESIDUAL} (early on, CG can move slowly before it moves fast).
 * Calibrated on aspirin M = 500 (perf/README.md, "Accuracy-aware stop"): the MAE of 1,000 validation frames falls
 * steadily to within 0.02 % of its final value by iteration 700 of 920, while the residual that rtol watches is
 * still 7e-4; the predictions themselves keep moving by ≈ 0.2 % of the error until the end, in directions that do
 * not change it. rtol stays the last resort.
 */
final class ValidationMonitor implements Pcg.Monitor, AutoCloseable {
    /** Validation frames predicted at each check (evenly strided over the task's validation frames). */
    static final int FRAMES = 100;
    static final int EVERY = 20;
    static final int MIN_WINDOW = 50;
    static final double SETTLED = 1e-3;
    static final double MAX_RESIDUAL = 1e-2;

    private final KernelOperator kernel;
    private final Backend be;
    private final Predictor predictor;
    private final MemorySegment positions;
    private final double[] reference;
    private final int frames;
    private final java.util.List<long[]> history = new java.util.ArrayList<>(); // {iteration, MAE bits}
    private final double[] alphas;
    private final boolean trace = Boolean.getBoolean("gdml4j.monitor.trace");
    private long nanos;
    private double lastError = Double.NaN;

    ValidationMonitor(Backend be, TrainingSet ts, KernelOperator kernel, SolveOptions.Validation v, Arena arena) {
        this(be, ts, kernel, v, Integer.getInteger("gdml4j.monitor.frames", FRAMES), arena);
    }

    /** Predicting up to {@code maxFrames} of the validation frames (evenly strided). */
    ValidationMonitor(Backend be, TrainingSet ts, KernelOperator kernel, SolveOptions.Validation v, int maxFrames, Arena arena) {
        long[] all = v.frames();
        int count = Math.min(maxFrames, all.length);
        long[] chosen = new long[count];
        for (int i = 0; i < count; i++) {
            chosen[i] = all[(int) ((long) i * all.length / count)];
        }
        Dataset data = v.data();
        this.frames = count;
        this.positions = FrameSelection.gather(arena, data.positions().data(), chosen, data.atoms());
        this.reference = FrameSelection.gather(arena, data.forces().data(), chosen, data.atoms()).toArray(ValueLayout.JAVA_DOUBLE);
        this.kernel = kernel;
        this.be = be;
        int d = kernel.descriptorLength();
        int m = kernel.molecules();
        this.predictor = new Predictor(be, host(kernel.trainingDescriptors(), d, m), host(new double[d * m], d, m), ts.symmetries(),
                ts.sigma(), ts.std(), 0.0);
        this.alphas = new double[Math.toIntExact(kernel.size())];
    }

    private static Matrix host(double[] values, int rows, int cols) {
        return Matrix.wrap(MemorySegment.ofArray(values), rows, cols, rows, Precision.FP64);
    }

    @Override
    public String stopReason(Vector x, long iterations, double relativeResidual) {
        if (iterations % EVERY != 0) {
            return null;
        }
        return check(x, iterations, relativeResidual);
    }

    /** The force MAE of the coefficients {@code x} (solver sign) on this monitor's frames; the stop's history is untouched. */
    double error(Vector x) {
        long t0 = System.nanoTime();
        try {
            be.download(x, alphas);
            for (int i = 0; i < alphas.length; i++) {
                alphas[i] = -alphas[i]; // alphas_F = −a (ModelFactory)
            }
            predictor.coefficients(host(kernel.descriptorAlphas(alphas), kernel.descriptorLength(), kernel.molecules()));
            return meanAbsDifference(predictor.predict(positions, frames).forces(), reference);
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    /** Forgets the checks so far: the next solve (another λ of the path) is judged on its own iterations. */
    void reset() {
        history.clear();
        lastError = Double.NaN;
    }

    /** Frames it predicts. */
    int frames() {
        return frames;
    }

    private String check(Vector x, long iterations, double relativeResidual) {
        double error = error(x);
        long back = Math.max(MIN_WINDOW, iterations / 10);
        double earlier = Double.NaN;
        for (long[] h : history) {
            if (h[0] <= iterations - back) {
                earlier = Double.longBitsToDouble(h[1]); // the latest check at least `back` iterations ago
            }
        }
        history.add(new long[] {iterations, Double.doubleToLongBits(error)});
        lastError = error;
        if (trace) {
            System.err.printf(Locale.ROOT, "VMON %d %.4e %.6f %.6e%n", iterations, relativeResidual, error, (earlier - error) / error);
            return null;
        }
        if (!Double.isNaN(earlier) && relativeResidual <= MAX_RESIDUAL && earlier - error <= SETTLED * error) {
            return String.format(Locale.ROOT, "the validation force MAE settled (%.4f on %d frames; %+.3f %% over the last %d iterations)",
                    error, frames, 100 * (error - earlier) / error, back);
        }
        return null;
    }

    private static double meanAbsDifference(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }

    /** Seconds spent in checks so far. */
    double seconds() {
        return nanos / 1e9;
    }

    /** The validation force MAE (subset) at the last check. */
    double lastError() {
        return lastError;
    }

    @Override
    public void close() {
        predictor.close();
    }
}
