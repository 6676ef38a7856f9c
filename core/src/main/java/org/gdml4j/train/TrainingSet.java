package org.gdml4j.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Task;
import org.gdml4j.kernel.Symmetries;

/**
 * The numbers of a task that the solver stage uses, checked for what would make the kernel system
 * meaningless: a single atom, a non-positive σ, a negative λ, permutations that are not a group,
 * identical training geometries (two equal rows make K singular), all-zero forces.
 */
record TrainingSet(Task task, Symmetries symmetries, double sigma, double lambda, double std) {

    static TrainingSet of(Task task) {
        String where = task.label();
        if (task.atoms() < 2) { // a diatomic has one descriptor (1/r) and trains fine; one atom has none
            throw new InvalidInputException(where + ": a molecule of " + task.atoms() + " atom has no interatomic distance to"
                    + " learn from (need at least 2 atoms)");
        }
        double sigma = task.sig();
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new InvalidInputException(where + ": key 'sig': the kernel length scale must be > 0, found " + sigma);
        }
        double lambda = task.lam();
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new InvalidInputException(where + ": key 'lam': the regulariser must be >= 0, found " + lambda);
        }
        Symmetries sym;
        try {
            sym = Symmetries.of(task.perms(), task.z());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(where + ": key 'perms': " + e.getMessage(), e);
        }
        checkDuplicates(task);
        double std = populationStd(task.forces().data(), task.forces().size());
        if (!(std > 0)) {
            throw new InvalidInputException(where + ": key 'F_train': all training forces are equal (std 0), nothing to learn");
        }
        return new TrainingSet(task, sym, sigma, lambda, std);
    }

    int count() {
        return task.trainSize();
    }

    int atoms() {
        return task.atoms();
    }

    /** n = 3·N·M. */
    long size() {
        return 3L * atoms() * count();
    }

    MemorySegment positions() {
        return task.positions().data();
    }

    MemorySegment forces() {
        return task.forces().data();
    }

    /** numpy's np.std: population standard deviation (ddof 0) over all components. */
    static double populationStd(MemorySegment values, long n) {
        double mean = 0;
        for (long i = 0; i < n; i++) {
            mean += values.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
        }
        mean /= n;
        double ss = 0;
        for (long i = 0; i < n; i++) {
            double d = values.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i) - mean;
            ss += d * d;
        }
        return Math.sqrt(ss / n);
    }

    private static void checkDuplicates(Task task) {
        int[] first = DuplicateGeometries.firstOccurrence(task.positions());
        for (int i = 0; i < first.length; i++) {
            if (first[i] != i) {
                int prev = first[i];
                long[] idx = task.idxsTrain();
                String which = idx != null && idx.length == first.length ? " (dataset frames " + idx[prev] + " and " + idx[i] + ")" : "";
                throw new InvalidInputException(task.label() + ": key 'R_train': training geometries " + prev + " and " + i
                        + which + " are identical; the kernel system would be singular");
            }
        }
    }
}
