package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.Task;
import org.gdml4j.symmetry.PermutationSearch;

/**
 * sGDML's create stage: training and validation frames drawn as sGDML draws them (stratified over the energy
 * distribution, seeded, recorded in the task) or given explicitly, the permutation symmetries found from the
 * training geometries (or none), σ and λ. The result is a task file sGDML itself could solve.
 */
public final class TaskCreator {
    /** What to create. {@code trainFrames} (explicit frames) wins over {@code train} (a count). */
    public record Options(int train, int valid, long seed, long[] trainFrames, boolean symmetries, double sigma, double lambda) {
        public Options {
            if (trainFrames == null && train < 1) {
                throw new InvalidInputException("the number of training frames (-n) must be at least 1, got " + train);
            }
            if (valid < 0) {
                throw new InvalidInputException("--n-valid must be >= 0, got " + valid);
            }
            if (!(sigma > 0) || Double.isInfinite(sigma)) {
                throw new InvalidInputException("--sigma must be a positive number, got " + sigma);
            }
        }
    }

    private TaskCreator() {
    }

    public static Task create(Dataset data, Options o, Arena arena) {
        CreateChecks.atoms(data.label(), data.atoms());
        long[] train = o.trainFrames();
        if (train == null) {
            if ((long) o.train() + o.valid() > data.frames()) {
                throw new InvalidInputException(String.format(java.util.Locale.ROOT, "%d training + %d validation frames were asked"
                        + " for, but the dataset has only %d frames", o.train(), o.valid(), data.frames()));
            }
            train = StratifiedSampler.draw(data, o.train(), new long[0], o.seed());
        } else {
            for (long f : train) {
                if (f < 0 || f >= data.frames()) {
                    throw new InvalidInputException("training frame " + f + " is out of range (the dataset has " + data.frames()
                            + " frames)");
                }
            }
            CreateChecks.distinctFrames(train);
            if ((long) train.length + o.valid() > data.frames()) {
                throw new InvalidInputException(train.length + " training + " + o.valid() + " validation frames exceed the dataset's "
                        + data.frames());
            }
        }
        // what would otherwise only fail at solve time, or be explained there as a failed factorisation
        double[] r = positions(data, train);
        CreateChecks.geometries(r, train, data.atoms(), data.rUnit());
        CreateChecks.sigma(o.sigma(), r, train.length, data.atoms(), data.rUnit());
        long[] valid = o.valid() == 0 ? new long[0] : StratifiedSampler.draw(data, o.valid(), train, o.seed() + 1);
        int[][] perms = null;
        if (o.symmetries()) {
            perms = PermutationSearch.find(r, train.length, data.z(), o.seed(), PermutationSearch.DEFAULT_MAX_SAMPLES);
        }
        return TaskFactory.fromFrames(data, train, valid, perms, o.sigma(), o.lambda(), arena);
    }

    /** The training geometries as one C-order double array (frames x atoms x 3). */
    static double[] positions(Dataset data, long[] frames) {
        int row = 3 * data.atoms();
        double[] out = new double[Math.multiplyExact(frames.length, row)];
        MemorySegment all = data.positions().data();
        for (int i = 0; i < frames.length; i++) {
            MemorySegment.copy(all, ValueLayout.JAVA_DOUBLE_UNALIGNED, frames[i] * row * 8, out, i * row, row);
        }
        return out;
    }
}
