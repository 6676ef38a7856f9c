package org.gdml4j.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.io.Task;
import org.gdml4j.kernel.GdmlKernel;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.ClosedForm;
import org.gdml4j.solve.Progress;
import org.gdml4j.solve.SolveReport;

/**
 * The sGDML solver stage: task in, model out. Labels y = vec(F_train)/std (population std over all force
 * components), system (K + λI) a = y, model from a (sgdml-reference.md §4). The method is chosen by the
 * caller; nothing switches silently.
 */
public final class TaskSolver {
    /** Solvers available. */
    public enum Method { CLOSED_FORM }

    /** What a solve will need, for the plan printed before work starts. */
    public record Plan(int molecules, int atoms, int permutations, long n, double sigma, double lambda, Method method,
            long bytesNeeded, long bytesAvailable) {
        public boolean fits() {
            return bytesNeeded <= bytesAvailable;
        }
    }

    private final Backend be;
    private final Progress progress;

    public TaskSolver(Backend be, Progress progress) {
        this.be = be;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    /** Validates the task and estimates the memory of the method (checked again when allocating). */
    public Plan plan(Task task, Method method) {
        TrainingSet ts = TrainingSet.of(task);
        return plan(ts, method);
    }

    private Plan plan(TrainingSet ts, Method method) {
        long n = ts.size();
        long bytes = ClosedForm.bytesNeeded(n) + kernelBytes(ts);
        return new Plan(ts.count(), ts.atoms(), ts.symmetries().count(), n, ts.sigma(), ts.lambda(), method, bytes,
                MemoryBudget.availableBytes());
    }

    /** Descriptors, Jacobians and permuted copies the kernel keeps (the dense matrix not included). */
    static long kernelBytes(TrainingSet ts) {
        long d = (long) ts.atoms() * (ts.atoms() - 1) / 2;
        long m = ts.count();
        long p = ts.symmetries().count();
        return 8 * (d * m * 6 + 2 * d * m * p);
    }

    /**
     * Solves the task. Bad input throws {@link IllegalArgumentException}; a plan that does not fit throws
     * {@link org.gdml4j.linalg.InsufficientMemoryException} before allocating; a failed solve throws
     * {@link SolveFailedException}. No partial result is ever returned.
     */
    public TrainResult solve(Task task, Method method) {
        TrainingSet ts = TrainingSet.of(task);
        long n = ts.size();
        MemoryBudget.require(plan(ts, method).bytesNeeded(), "the closed-form solve of n = " + n);
        try (Workspace ws = Workspace.shared();
                GdmlKernel kernel = GdmlKernel.create(be, ts.positions(), ts.count(), ts.atoms(), ts.symmetries(), ts.sigma())) {
            Vector y = ws.vector(n, "labels");
            MemorySegment f = ts.forces();
            for (long i = 0; i < n; i++) {
                y.set(i, f.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i) / ts.std());
            }
            Vector a = ws.vector(n, "solution");
            SolveReport report = new ClosedForm(be, progress).solve(new KernelOperator(kernel), ts.lambda(), y, a);
            report.fact("n", n).fact("molecules (M)", ts.count()).fact("symmetries (P)", ts.symmetries().count());
            if (report.outcome() != SolveReport.Outcome.CONVERGED) {
                throw new SolveFailedException("the Cholesky factorisation failed even with a diagonal jitter of "
                        + report.finalJitter() + "; the training geometries may be nearly identical (try a larger lambda or"
                        + " fewer, more diverse training points)", report);
            }
            long t0 = System.nanoTime();
            ModelFactory.Built built = ModelFactory.build(be, ts, kernel, a, "analytic", null);
            report.addSeconds("model", (System.nanoTime() - t0) / 1e9);
            report.peakResident(org.gdml4j.linalg.SystemMemory.peakResidentBytes());
            List<String> warnings = new ArrayList<>();
            if (built.energyCheck() != null) {
                warnings.addAll(built.energyCheck().warnings());
            }
            return new TrainResult(built.model(), report, List.copyOf(warnings));
        }
    }
}
