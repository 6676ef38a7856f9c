package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.DType;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.io.Task;

/**
 * An sGDML task (docs/sgdml-formulas.md §10.1) from chosen frames of a dataset: training geometries, forces and
 * energies copied out, the dataset's name, theory, units and md5 recorded, the given symmetry group and σ, λ.
 */
public final class TaskFactory {
    private TaskFactory() {
    }

    /**
     * @param train frames to train on (dataset row indices)
     * @param valid frames reserved for validation (recorded only)
     * @param perms permutation group (P x N), or null for the identity alone
     */
    public static Task fromFrames(Dataset data, long[] train, long[] valid, int[][] perms, double sigma, double lambda, Arena arena) {
        int atoms = data.atoms();
        int m = train.length;
        for (long f : train) {
            if (f < 0 || f >= data.frames()) {
                throw new InvalidInputException("training frame " + f + " is out of range (the dataset has " + data.frames() + ")");
            }
        }
        MemorySegment r = FrameSelection.gather(arena, data.positions().data(), train, atoms);
        MemorySegment f = FrameSelection.gather(arena, data.forces().data(), train, atoms);
        int[][] group = perms;
        if (group == null) {
            group = new int[1][atoms];
            for (int a = 0; a < atoms; a++) {
                group[0][a] = a;
            }
        }
        var b = Task.builder().dataset(data).z(data.z())
                .positions(NpyArray.of(DType.F8, false, r, m, atoms, 3))
                .forces(NpyArray.of(DType.F8, false, f, m, atoms, 3))
                .idxsTrain(train).idxsValid(valid).lam(lambda).perms(group).useSym(perms != null && group.length > 1);
        if (isSmallInteger(sigma)) {
            b.sig((long) sigma);
        } else {
            b.sig(sigma);
        }
        if (data.hasEnergies()) {
            double[] all = data.energies();
            double[] e = new double[m];
            for (int i = 0; i < m; i++) {
                e[i] = all[(int) train[i]];
            }
            b.energies(NpyArrays.ofDoubles(e, m));
        } else {
            b.noEnergies();
        }
        return b.build((data.name() == null ? "dataset" : data.name()) + " task (M = " + m + ")");
    }


    /** The same task with another σ (for a σ search); a σ the kernel cannot work with is refused as in create. */
    public static Task withSigma(Task task, double sigma, Arena arena) {
        double[] r = task.positions().toDoubleArray();
        CreateChecks.sigma(sigma, r, task.trainSize(), task.atoms(), task.rUnit());
        java.util.SequencedMap<String, NpyArray> e = new java.util.LinkedHashMap<>(task.entries());
        e.put("sig", isSmallInteger(sigma) ? NpyArrays.scalar((long) sigma) : NpyArrays.scalar(sigma));
        return Task.of(task.label(), e, arena);
    }

    /**
     * sGDML stores integer σ as an integer; beyond 2⁵³ a double is always integral and a cast to long saturates
     * (1e300 became 9223372036854775807), so such values stay doubles.
     */
    private static boolean isSmallInteger(double v) {
        return v == Math.rint(v) && Math.abs(v) < 0x1p53;
    }
}
