package org.gdml4j.train;

import java.util.Locale;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Precision;
import org.gdml4j.solve.ClosedForm;

/**
 * {@code --solver auto}: the closed form where the dense matrix fits comfortably (at most 70 % of the memory
 * available) and its predicted time beats the predicted PCG time; PCG otherwise. Predictions use this machine's
 * measured dgemm rate and bandwidth ({@link MachineSpeed}: a short probe, cached per machine and BLAS under gdml4j's
 * cache folder): the closed form costs n³/3 flops at 85 % of the rate (aspirin M = 500: 148 s measured vs 156 s
 * predicted); PCG is {@link PcgCostModel}'s prediction at the planned k.
 */
final class AutoChoice {
    private AutoChoice() {
    }

    record Decision(TaskSolver.Method method, double closedSeconds, double pcgSeconds, String reason) {
    }

    static Decision decide(Backend be, TrainingSet ts, int k, Precision precision, PcgCostModel.Stop stop) {
        long n = ts.size();
        double rate = MachineSpeed.gemmGflops(be) * 1e9;
        double closed = (double) n * n * n / 3 / (0.85 * rate);
        double pcg = new PcgCostModel(be, ts, precision, stop, null, null).seconds(k);
        long closedBytes = ClosedForm.bytesNeeded(n) + TaskSolver.kernelBytes(ts);
        long avail = be.memory().availableBytes();
        if (closedBytes > 0.7 * avail) {
            return new Decision(TaskSolver.Method.PCG, closed, pcg, String.format(Locale.ROOT,
                    "the dense matrix (%s) does not fit comfortably in %s", MemoryBudget.formatBytes(closedBytes),
                    MemoryBudget.formatBytes(avail)));
        }
        if (closed <= pcg) {
            return new Decision(TaskSolver.Method.CLOSED_FORM, closed, pcg, String.format(Locale.ROOT,
                    "predicted %.0f s for the closed form vs %.0f s for PCG", closed, pcg));
        }
        return new Decision(TaskSolver.Method.PCG, closed, pcg, String.format(Locale.ROOT,
                "predicted %.0f s for PCG vs %.0f s for the closed form", pcg, closed));
    }
}
