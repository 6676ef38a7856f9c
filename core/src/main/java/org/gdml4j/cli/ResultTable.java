package org.gdml4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.gdml4j.io.Dataset;
import org.gdml4j.solve.SolveReport;
import org.gdml4j.train.ErrorStats;
import org.gdml4j.train.Evaluation;
import org.gdml4j.train.Trainer;

/** The table printed after {@code gdml4j train}: what was trained, how, how long, how well, and where it went. */
final class ResultTable {
    private ResultTable() {
    }

    static String of(Path datasetFile, Dataset data, Trainer.Result r, Path model) {
        StringBuilder sb = new StringBuilder("\nresult\n");
        SolveReport rep = r.report();
        long n = 3L * r.task().atoms() * r.task().trainSize();
        row(sb, "dataset", String.format(Locale.ROOT, "%s (%s, %,d frames, %d atoms)", datasetFile, data.name(), data.frames(), data.atoms()));
        row(sb, "training set", String.format(Locale.ROOT, "M = %,d frames, P = %d symmetries, n = %,d", r.task().trainSize(),
                r.task().perms().length, n));
        double lam = r.model().lam();
        row(sb, "sigma, lambda", SolveCommand.fmt(r.sigma()) + ", " + lam + (lam != r.task().lam() ? " (chosen on validation; the task's: "
                + r.task().lam() + ")" : ""));
        row(sb, "solver", String.valueOf(rep.facts().getOrDefault("method", rep.solver())));
        Object device = rep.facts().get("device");
        if (device != null) {
            row(sb, "device", device.toString());
        }
        Object pre = rep.facts().get("preconditioner");
        if (pre != null) {
            row(sb, "preconditioner", pre + " (" + rep.facts().get("k rule") + ")");
            row(sb, "iterations", String.format(Locale.ROOT, "%,d (true residual %.2e)", rep.iterations(), rep.trueResidual()));
        } else {
            row(sb, "true residual", String.format(Locale.ROOT, "%.2e", rep.trueResidual()));
        }
        StringBuilder t = new StringBuilder();
        for (Map.Entry<String, Double> e : rep.seconds().entrySet()) {
            t.append(t.isEmpty() ? "" : ", ").append(e.getKey()).append(String.format(Locale.ROOT, " %.1f s", e.getValue()));
        }
        row(sb, "solve time", t.toString());
        StringBuilder w = new StringBuilder();
        for (Map.Entry<String, Double> e : r.seconds().entrySet()) {
            w.append(w.isEmpty() ? "" : ", ").append(e.getKey()).append(String.format(Locale.ROOT, " %.1f s", e.getValue()));
        }
        row(sb, "wall time", w.toString());
        if (rep.peakResident() > 0) {
            row(sb, "peak memory", String.format(Locale.ROOT, "%.2f GB resident", rep.peakResident() / 1e9));
        }
        String eu = data.eUnit() == null ? "" : " " + data.eUnit();
        String fu = data.eUnit() == null ? "" : " " + data.eUnit() + "/" + (data.rUnit() == null ? "Ang" : data.rUnit());
        errors(sb, "validation", r.validation(), eu, fu);
        errors(sb, "test", r.test(), eu, fu);
        for (String e : rep.events()) {
            row(sb, "note", e);
        }
        row(sb, "model", model.toAbsolutePath().toString());
        return sb.toString();
    }

    private static void errors(StringBuilder sb, String what, Evaluation.Errors e, String eu, String fu) {
        if (e == null) {
            return;
        }
        String label = String.format(Locale.ROOT, "%s (%,d)", what, e.frames());
        if (e.energy() != null) {
            row(sb, label + " energy", stats(e.energy(), eu));
            label = "";
        }
        row(sb, label.isEmpty() ? "  forces" : label + " forces", stats(e.forces(), fu));
    }

    private static String stats(ErrorStats s, String unit) {
        return String.format(Locale.ROOT, "MAE %.4f, RMSE %.4f%s", s.mae(), s.rmse(), unit);
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append(String.format(Locale.ROOT, "  %-26s %s%n", k, v));
    }
}
