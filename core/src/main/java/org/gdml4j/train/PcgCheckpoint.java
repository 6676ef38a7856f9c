package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.NpzWriter;
import org.gdml4j.io.SgdmlFormatException;
import org.gdml4j.linalg.Precision;
import org.gdml4j.precond.PreconditionerBuilder.Recipe;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.solve.PcgSnapshot;

/**
 * A PCG checkpoint file: an .npz (so {@code numpy.load} and {@code gdml4j show} can look inside) holding the
 * fingerprints of the task and of the result-changing options, the preconditioner's {@link Recipe}, which attempt it
 * belongs to (1: the factor in the asked precision; 2: the FP64 fallback), the PCG state ({@link PcgSnapshot}) and the
 * report of an earlier attempt. Written atomically, so a kill at any moment leaves the previous checkpoint or the new
 * one, never a mix.
 */
record PcgCheckpoint(Fingerprint fingerprint, Recipe recipe, int attempt, PcgSnapshot state, Earlier earlier, int threads) {
    /**
     * The format marker. Version 2: the FP32 cholesky preconditioner grows by extending its factor (issue #14), so a
     * grown one has other columns than version 1's rebuild-from-scratch gave, and those cannot be rebuilt.
     */
    static final String FORMAT = "gdml4j-pcg-checkpoint-2";
    private static final String FORMAT_PREFIX = "gdml4j-pcg-checkpoint-";

    /** SHA-256 of the task's content and of the options that change the model. */
    record Fingerprint(String task, String options) {
    }

    /** What the first attempt did before the FP64 fallback took over (null in attempt 1). */
    record Earlier(long iterations, List<Double> residuals, List<String> events, Map<String, Double> seconds) {
    }

    void write(Path file) {
        SequencedMap<String, NpyArray> e = new LinkedHashMap<>();
        e.put("format", NpyArrays.ofString(FORMAT));
        e.put("task_sha256", NpyArrays.ofString(fingerprint.task()));
        e.put("options_sha256", NpyArrays.ofString(fingerprint.options()));
        e.put("threads", NpyArrays.scalar((long) threads));
        e.put("precond_kind", NpyArrays.ofString(recipe.kind().cliName()));
        e.put("precond_precision", NpyArrays.ofString(recipe.precision().name()));
        e.put("precond_initial_k", NpyArrays.scalar((long) recipe.initialK()));
        e.put("precond_growths", NpyArrays.scalar((long) recipe.growths()));
        e.put("precond_columns", NpyArrays.ofLongs(recipe.columns(), recipe.columns().length));
        e.put("attempt", NpyArrays.scalar((long) attempt));
        PcgSnapshot s = state;
        e.put("iterations", NpyArrays.scalar(s.iterations()));
        e.put("restarts", NpyArrays.scalar((long) s.restarts()));
        e.put("growths", NpyArrays.scalar((long) s.growths()));
        e.put("stagnation_noted", NpyArrays.scalar(s.stagnationNoted()));
        e.put("rz", NpyArrays.scalar(s.rz()));
        e.put("rnorm", NpyArrays.scalar(s.rnorm()));
        e.put("norm_estimate", NpyArrays.scalar(s.normEstimate()));
        e.put("window", NpyArrays.ofDoubles(s.changes(), s.changes().length));
        e.put("window_count", NpyArrays.scalar((long) s.changeCount()));
        e.put("window_pos", NpyArrays.scalar((long) s.changePos()));
        e.put("x", NpyArrays.ofDoubles(s.x(), s.x().length));
        e.put("r", NpyArrays.ofDoubles(s.r(), s.r().length));
        e.put("d", NpyArrays.ofDoubles(s.d(), s.d().length));
        putReport(e, "report_", s.residuals(), s.events(), s.seconds());
        if (earlier != null) {
            e.put("earlier_iterations", NpyArrays.scalar(earlier.iterations()));
            putReport(e, "earlier_", earlier.residuals(), earlier.events(), earlier.seconds());
        }
        NpzWriter.write(file, e);
    }

    private static void putReport(SequencedMap<String, NpyArray> e, String prefix, List<Double> residuals, List<String> events,
            Map<String, Double> seconds) {
        double[] res = residuals.stream().mapToDouble(Double::doubleValue).toArray();
        e.put(prefix + "residuals", NpyArrays.ofDoubles(res, res.length));
        e.put(prefix + "events", NpyArrays.ofString(String.join("\n", events)));
        e.put(prefix + "time_phases", NpyArrays.ofString(String.join("\n", seconds.keySet())));
        double[] secs = seconds.values().stream().mapToDouble(Double::doubleValue).toArray();
        e.put(prefix + "time_seconds", NpyArrays.ofDoubles(secs, secs.length));
    }

    /** Reads a checkpoint; a file that is not one (or is damaged) is a {@link SgdmlFormatException} naming it. */
    static PcgCheckpoint read(Path file) {
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(file)) {
            String format = npz.contains("format") ? npz.read("format", arena).string() : "";
            if (!FORMAT.equals(format)) {
                throw new SgdmlFormatException(format.startsWith(FORMAT_PREFIX)
                        ? file + ": PCG checkpoint of format " + format.substring(FORMAT_PREFIX.length()) + " (this gdml4j reads "
                                + FORMAT.substring(FORMAT_PREFIX.length()) + "): it was written by another gdml4j version; remove it "
                                + "(or leave out --resume) to start afresh"
                        : file + ": not a gdml4j PCG checkpoint (no '" + FORMAT + "' marker)");
            }
            Fingerprint fp = new Fingerprint(npz.read("task_sha256", arena).string(), npz.read("options_sha256", arena).string());
            Recipe recipe = new Recipe(PreconditionerKind.parse(npz.read("precond_kind", arena).string()),
                    Precision.valueOf(npz.read("precond_precision", arena).string()), (int) scalar(npz, "precond_initial_k", arena),
                    (int) scalar(npz, "precond_growths", arena), npz.read("precond_columns", arena).toLongArray());
            PcgSnapshot s = new PcgSnapshot(scalar(npz, "iterations", arena), (int) scalar(npz, "restarts", arena),
                    (int) scalar(npz, "growths", arena), npz.read("stagnation_noted", arena).scalarBoolean(),
                    npz.read("rz", arena).scalarDouble(), npz.read("rnorm", arena).scalarDouble(),
                    npz.read("norm_estimate", arena).scalarDouble(), npz.read("window", arena).toDoubleArray(),
                    (int) scalar(npz, "window_count", arena), (int) scalar(npz, "window_pos", arena),
                    npz.read("x", arena).toDoubleArray(), npz.read("r", arena).toDoubleArray(), npz.read("d", arena).toDoubleArray(),
                    residuals(npz, "report_", arena), lines(npz, "report_events", arena), seconds(npz, "report_", arena));
            Earlier earlier = npz.contains("earlier_iterations") ? new Earlier(scalar(npz, "earlier_iterations", arena),
                    residuals(npz, "earlier_", arena), lines(npz, "earlier_events", arena), seconds(npz, "earlier_", arena)) : null;
            return new PcgCheckpoint(fp, recipe, (int) scalar(npz, "attempt", arena), s, earlier, (int) scalar(npz, "threads", arena));
        } catch (SgdmlFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SgdmlFormatException(file + ": damaged PCG checkpoint (" + e.getMessage() + ")", e);
        }
    }

    private static long scalar(NpzReader npz, String key, Arena arena) {
        return npz.read(key, arena).scalarLong();
    }

    private static List<Double> residuals(NpzReader npz, String prefix, Arena arena) {
        return Arrays.stream(npz.read(prefix + "residuals", arena).toDoubleArray()).boxed().toList();
    }

    private static List<String> lines(NpzReader npz, String key, Arena arena) {
        String s = npz.read(key, arena).string();
        return s.isEmpty() ? List.of() : List.of(s.split("\n", -1));
    }

    private static Map<String, Double> seconds(NpzReader npz, String prefix, Arena arena) {
        List<String> phases = lines(npz, prefix + "time_phases", arena);
        double[] v = npz.read(prefix + "time_seconds", arena).toDoubleArray();
        if (phases.size() != v.length) {
            throw new InvalidInputException("time phases and values differ in number");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) {
            m.put(phases.get(i), v[i]);
        }
        return m;
    }

    /** Lists what differs between two fingerprints, for the refusal message. */
    static List<String> differences(Fingerprint ours, Fingerprint theirs) {
        List<String> d = new ArrayList<>();
        if (!ours.task().equals(theirs.task())) {
            d.add("another task (training data, symmetries, sigma or lambda)");
        }
        if (!ours.options().equals(theirs.options())) {
            d.add("other solver options (preconditioner, k, rtol, iteration limit, growth, precision, seed or warm start)");
        }
        return d;
    }
}
