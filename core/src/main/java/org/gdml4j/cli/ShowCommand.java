package org.gdml4j.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.Task;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gdml4j show FILE.npz}: what an sGDML dataset, task or model holds. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Describe an sGDML dataset, task or model file.")
final class ShowCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE.npz")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Arena arena = Arena.ofConfined()) {
            String type;
            try (NpzReader npz = NpzReader.open(file)) {
                type = npz.contains("type") ? npz.read("type", arena).string() : "?";
            }
            switch (type) {
                case "d" -> dataset(out, Dataset.load(file, arena));
                case "t" -> task(out, Task.load(file, arena));
                case "m" -> model(out, Model.load(file, arena));
                default -> throw new InvalidInputException(file + ": not an sGDML dataset, task or model (its 'type' key is '" + type + "')");
            }
            out.flush();
            return 0;
        }
    }

    private void dataset(PrintWriter out, Dataset d) {
        out.printf(Locale.ROOT, "%s: sGDML dataset '%s'%n", file, d.name());
        row(out, "theory", d.theory());
        row(out, "frames", String.format(Locale.ROOT, "%,d", d.frames()));
        row(out, "atoms", d.atoms() + " " + formula(d.z()));
        row(out, "energies", d.hasEnergies() ? "yes (" + d.eUnit() + ")" : "no");
        row(out, "units", d.rUnit() + ", " + d.eUnit());
        row(out, "md5", d.md5());
        keys(out, d.entries().keySet());
    }

    private void task(PrintWriter out, Task t) {
        out.printf(Locale.ROOT, "%s: sGDML task for '%s'%n", file, t.datasetName());
        row(out, "training frames", String.format(Locale.ROOT, "%,d (n = %,d)", t.trainSize(), 3L * t.atoms() * t.trainSize()));
        row(out, "validation frames", String.format(Locale.ROOT, "%,d", t.idxsValid() == null ? 0 : t.idxsValid().length));
        row(out, "atoms", t.atoms() + " " + formula(t.z()));
        row(out, "symmetries", t.perms().length + (t.useSym() ? "" : " (use_sym off)"));
        row(out, "sigma, lambda", SolveCommand.fmt(t.sig()) + ", " + t.lam());
        row(out, "use energies", String.valueOf(t.useE()));
    }

    private void model(PrintWriter out, Model m) {
        out.printf(Locale.ROOT, "%s: sGDML model for '%s'%n", file, m.datasetName());
        row(out, "solver", m.solverName() + m.cgInfo().map(cg -> String.format(Locale.ROOT, " (%d iterations, %s)", cg.iters(),
                cg.converged() ? "converged" : "NOT converged")).orElse(""));
        row(out, "training frames", String.format(Locale.ROOT, "%,d", m.trainSize()));
        row(out, "atoms", m.atoms() + " " + formula(m.z()));
        row(out, "symmetries", Integer.toString(m.permCount()));
        row(out, "sigma, lambda", SolveCommand.fmt(m.sig()) + ", " + m.lam());
        row(out, "c, std", m.c() + ", " + m.std());
        var f = m.fErr();
        row(out, "force errors", f == null || f.get("mae").isNaN() ? "not validated" : String.format(Locale.ROOT, "MAE %.4f, RMSE %.4f (%s)",
                f.get("mae"), f.get("rmse"), m.nTest() > 0 ? "test, " + m.nTest() + " frames" : "validation"));
        NpyArray pre = m.entries().get("gdml4j_preconditioner");
        if (pre != null) {
            row(out, "gdml4j", "preconditioner " + pre.string() + ", k = " + m.entries().get("gdml4j_k").scalarLong());
        }
    }

    static String formula(int[] z) {
        int[] counts = new int[119];
        for (int v : z) {
            counts[v]++;
        }
        String[] sym = {"", "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl"};
        StringBuilder sb = new StringBuilder("(");
        for (int el : new int[] {6, 1}) {
            if (counts[el] > 0) {
                sb.append(sym[el]).append(counts[el] > 1 ? counts[el] : "");
                counts[el] = 0;
            }
        }
        for (int el = 1; el < counts.length; el++) {
            if (counts[el] > 0) {
                sb.append(el < sym.length ? sym[el] : "Z" + el).append(counts[el] > 1 ? counts[el] : "");
            }
        }
        return sb.append(")").toString();
    }

    private static void row(PrintWriter out, String k, String v) {
        out.printf(Locale.ROOT, "  %-18s %s%n", k, v == null ? "-" : v);
    }

    private static void keys(PrintWriter out, java.util.Set<String> keys) {
        row(out, "keys", String.join(", ", Arrays.asList(keys.toArray(new String[0]))));
    }
}
