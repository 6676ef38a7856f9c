package org.gdml4j.perf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.gdml4j.io.Task;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.train.TaskSolver;

/**
 * The paper's Fig. 5 setting: CG iterations to rtol 1e-4 per preconditioner and preconditioner strength k/n, no
 * growth, for a molecule at n ≈ 15,000 (aspirin M = 250, ethanol M = 556, uracil M = 417), σ = 10, λ = 1e-10, the
 * reference's symmetry group. Appends one CSV row per run to {@code perf/results/fig5-<molecule>.csv} (rows already
 * there are skipped, so an interrupted sweep resumes).
 * Usage: {@code perf/bench fig5 aspirin [fractions...]}.
 */
public final class Fig5Harness {
    static final List<Double> FRACTIONS = List.of(0.035, 0.068, 0.13, 0.25);
    static final List<PreconditionerKind> LOW_RANK = List.of(PreconditionerKind.UNIFORM, PreconditionerKind.LEVERAGE,
            PreconditionerKind.CHOLESKY, PreconditionerKind.EIGEN, PreconditionerKind.RANK_K_LEVERAGE);
    /** Iteration cap for the local baselines (they exist to show that they fail). */
    static final long JACOBI_CAP = 20_000;

    private Fig5Harness() {
    }

    public static void main(String[] args) throws IOException {
        String molecule = args.length > 0 ? args[0] : "aspirin";
        int m = switch (molecule) {
            case "aspirin" -> 250;
            case "ethanol" -> 556;
            case "uracil" -> 417;
            default -> throw new IllegalArgumentException("molecule: aspirin, ethanol or uracil");
        };
        Path csv = PerfData.repo().resolve("perf/results/fig5-" + molecule + ".csv");
        Files.createDirectories(csv.getParent());
        if (!Files.exists(csv)) {
            Files.writeString(csv, "molecule,M,n,preconditioner,k,k_over_n,iterations,outcome,build_s,cg_s,seconds_total\n");
        }
        String done = Files.readString(csv);
        try (Arena arena = Arena.ofShared()) {
            Task task = PerfData.task(molecule, m, arena);
            long n = 3L * task.atoms() * m;
            List<TaskSolver.SweepPoint> points = new ArrayList<>();
            for (double f : FRACTIONS) {
                int k = (int) Math.round(f * n);
                for (PreconditionerKind kind : LOW_RANK) {
                    points.add(new TaskSolver.SweepPoint(kind, k, null));
                }
            }
            points.add(new TaskSolver.SweepPoint(PreconditionerKind.BLOCK_JACOBI, 0, JACOBI_CAP));
            points.add(new TaskSolver.SweepPoint(PreconditionerKind.ATOM_JACOBI, 0, JACOBI_CAP));
            points.removeIf(p -> done.contains(key(molecule, m, n, p)));
            if (args.length > 1) { // e.g. "eigen,rank-k-leverage": only these preconditioners this time
                List<String> only = List.of(args[1].split(","));
                points.removeIf(p -> !only.contains(p.kind().cliName()));
            }
            // the dense methods last, so one eigendecomposition serves all their points
            points.sort(java.util.Comparator.comparing(p -> p.kind().dense()));
            new TaskSolver(PerfData.backend(), null).sweep(task, points, 1e-4, 0, (p, r) -> {
                double build = r.seconds().getOrDefault("preconditioner build", 0.0);
                String row = String.format(Locale.ROOT, "%s%.4f,%d,%s,%.1f,%.1f,%.1f%n", key(molecule, m, n, p), (double) p.k() / n,
                        r.iterations(), r.outcome(), build, r.totalSeconds() - build, r.totalSeconds());
                try {
                    Files.writeString(csv, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                System.out.print(row);
            });
        }
    }

    private static String key(String molecule, int m, long n, TaskSolver.SweepPoint p) {
        return molecule + "," + m + "," + n + "," + p.kind().cliName() + "," + p.k() + ",";
    }
}
