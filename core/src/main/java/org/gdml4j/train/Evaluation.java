package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.linalg.Backend;

/**
 * Validation and test errors of a model on dataset frames (sGDML's {@code validate} and {@code test}): energy and
 * force MAE/RMSE, and the model with the errors recorded as sGDML records them ({@code f_err}, {@code e_err}; after
 * a test also {@code n_test} and {@code md5_test}).
 */
public final class Evaluation {
    /** Errors on {@code frames}; {@code energy} is null when the model or dataset has no energies. */
    public record Errors(long frames, ErrorStats energy, ErrorStats forces, double seconds) {
    }

    private Evaluation() {
    }

    public static Errors errors(Backend be, Model model, Dataset data, long[] frames, Arena arena) {
        if (!Arrays.equals(model.z(), data.z())) {
            throw new InvalidInputException("the model is for atoms " + Arrays.toString(model.z()) + " but the dataset has "
                    + Arrays.toString(data.z()) + " (a different molecule, or the same atoms in another order)");
        }
        long t0 = System.nanoTime();
        MemorySegment r = FrameSelection.gather(arena, data.positions().data(), frames, data.atoms());
        MemorySegment f = FrameSelection.gather(arena, data.forces().data(), frames, data.atoms());
        Predictions p;
        try (Predictor predictor = Predictor.of(be, model)) {
            p = predictor.predict(r, frames.length);
        }
        ErrorStats energy = null;
        if (model.useE() && data.hasEnergies()) {
            double[] all = data.energies();
            double[] ref = new double[frames.length];
            for (int i = 0; i < frames.length; i++) {
                ref[i] = all[(int) frames[i]];
            }
            energy = ErrorStats.of(p.energies(), ref);
        }
        return new Errors(frames.length, energy, ErrorStats.of(p.forces(), f), (System.nanoTime() - t0) / 1e9);
    }

    /** The model's validation frames: checks that {@code data} is the dataset they index (md5). */
    public static long[] validationFrames(Model model, Dataset data) {
        long[] idx = model.idxsValid();
        if (idx == null || idx.length == 0) {
            throw new InvalidInputException("the model has no validation frames (idxs_valid is empty)");
        }
        requireSameDataset(model.md5Valid(), data, "validation");
        return idx;
    }

    /**
     * Test frames: {@code count} frames (0 = all) not used for training or validation when {@code data} is the training
     * dataset (by md5), drawn stratified by energy and seeded.
     */
    public static long[] testFrames(Model model, Dataset data, int count, long seed) {
        if (count < 0) { // would otherwise fall into "0 = all" and test every frame unasked
            throw new InvalidInputException("the number of test frames must be 0 (all unused frames) or more, got " + count);
        }
        String md5 = data.md5() != null ? data.md5() : data.computeMd5();
        long[] exclude = new long[0];
        if (md5.equals(model.md5Train()) && model.idxsTrain() != null) {
            exclude = concat(exclude, model.idxsTrain());
        }
        if (md5.equals(model.md5Valid()) && model.idxsValid() != null) {
            exclude = concat(exclude, model.idxsValid());
        }
        int free = data.frames() - exclude.length;
        if (free <= 0) {
            throw new InvalidInputException("the dataset has no frames left for testing (all were used for training or validation)");
        }
        int n = count <= 0 ? free : Math.min(count, free);
        return StratifiedSampler.draw(data.frames(), data.hasEnergies() ? data.energies() : null, n, exclude, seed);
    }

    private static void requireSameDataset(String md5, Dataset data, String what) {
        String actual = data.md5() != null ? data.md5() : data.computeMd5();
        if (md5 != null && !md5.equals(actual)) {
            throw new InvalidInputException("this dataset (md5 " + actual + ") is not the one the model's " + what
                    + " frames come from (md5 " + md5 + ")");
        }
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The model with the errors recorded: f_err/e_err, and after a test n_test and md5_test. */
    public static Model record(Model model, Errors errors, boolean test, String datasetMd5) {
        SequencedMap<String, NpyArray> e = new LinkedHashMap<>(model.entries());
        e.put("f_err", NpyArray.ofObject(errorMap(errors.forces())));
        if (model.useE() && errors.energy() != null) {
            e.put("e_err", NpyArray.ofObject(errorMap(errors.energy())));
        }
        if (test) {
            e.put("n_test", NpyArrays.scalar(errors.frames()));
            e.put("md5_test", NpyArrays.ofAscii(datasetMd5));
        }
        return Model.of(model.label(), e, Arena.ofAuto());
    }

    private static Map<String, Double> errorMap(ErrorStats s) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mae", s.mae());
        m.put("rmse", s.rmse());
        return m;
    }
}
