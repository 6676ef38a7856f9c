package org.gdml4j.train;

import java.util.Locale;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Precision;
import org.gdml4j.solve.ClosedForm;

/**
 * {@code --solver auto}: the closed form where the dense matrix fits comfortably (at most 70 % of the memory
 * available) and its predicted time beats the predicted PCG time; PCG otherwise. Predictions use this machine's
 * measured dgemm rate ({@link MachineSpeed}): the closed form costs n³/3 flops at 85 % of it; PCG costs the
 * preconditioner build (≈ 4nk² flops of QR at 35 % of the rate, plus nk² for the Gram matrix of an FP32 basis)
 * plus iterations, estimated with the paper's power law #/n ≈ (k_min/k)^m (Fig. 6, default k_min = 100, m = 1),
 * each a kernel product (6·M²·P·D flops at 50 %) and a preconditioner apply at the measured memory bandwidth:
 * 24·n·k bytes for an FP64 factor (two passes, four when the apply re-projects, which about half of them do),
 * 12·n·k for an FP32 one (two passes of 4 bytes and the k x k core; it rarely re-projects). Calibrated on aspirin
 * M = 500 (perf/README.md): closed form 148 s measured vs 156 s predicted; PCG (leverage, k = 3,674) FP64 200–279 s
 * measured in five runs vs 220 s predicted; FP32 165–195 s measured in three runs vs ≈ 175 s predicted.
 */
final class AutoChoice {
    private AutoChoice() {
    }

    record Decision(TaskSolver.Method method, double closedSeconds, double pcgSeconds, String reason) {
    }

    static Decision decide(Backend be, TrainingSet ts, int k, Precision precision) {
        long n = ts.size();
        double rate = MachineSpeed.gemmGflops(be) * 1e9;
        double bandwidth = MachineSpeed.bandwidthBytesPerSecond(be);
        double closed = (double) n * n * n / 3 / (0.85 * rate);
        long m = ts.count();
        double d = ts.atoms() * (ts.atoms() - 1) / 2.0;
        double matvec = 6.0 * m * m * ts.symmetries().count() * d / (0.5 * rate);
        boolean fp32 = precision == Precision.FP32;
        double apply = (fp32 ? 12.0 : 24.0) * n * k / bandwidth;
        double iterations = Math.min(10.0 * n, n * (100.0 / Math.max(1, k)));
        double pcg = (fp32 ? 5.0 : 4.0) * n * k * k / (0.35 * rate) + iterations * (matvec + apply);
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
