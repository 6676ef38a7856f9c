package org.gdml4j.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.gdml4j.io.NpyArray;

/**
 * Finds frames whose geometry is an exact (bitwise) copy of an earlier frame's.
 *
 * <p>Why it matters: two identical geometries in a training set give two identical kernel rows, so the kernel
 * matrix is singular (sGDML's solver then suggests "Are there duplicate geometries in the training data?"),
 * and a validation frame that copies a training frame measures nothing. Samplers therefore treat each
 * distinct geometry as one candidate.
 */
public final class DuplicateGeometries {
    private DuplicateGeometries() {
    }

    /**
     * For every frame of C-order (frames, atoms, 3) {@code positions}: the first frame with the same coordinates
     * (the frame itself if no earlier frame matches). Coordinates are compared by their bits, with −0.0 = 0.0.
     */
    public static int[] firstOccurrence(NpyArray positions) {
        if (positions.ndim() != 3 || positions.dim(2) != 3) {
            throw new IllegalArgumentException("positions must have shape (frames, atoms, 3), got " + positions.describe());
        }
        int frames = Math.toIntExact(positions.dim(0));
        int width = Math.toIntExact(positions.dim(1) * 3);
        int[] first = new int[frames];
        Map<Integer, List<Integer>> byHash = new HashMap<>();
        for (int f = 0; f < frames; f++) {
            int h = 1;
            for (int c = 0; c < width; c++) {
                h = 31 * h + Double.hashCode(value(positions, f, width, c));
            }
            first[f] = f;
            List<Integer> bucket = byHash.computeIfAbsent(h, k -> new ArrayList<>());
            for (int g : bucket) {
                if (same(positions, f, g, width)) {
                    first[f] = g;
                    break;
                }
            }
            if (first[f] == f) {
                bucket.add(f);
            }
        }
        return first;
    }

    private static boolean same(NpyArray positions, int f, int g, int width) {
        for (int c = 0; c < width; c++) {
            if (value(positions, f, width, c) != value(positions, g, width, c)) {
                return false;
            }
        }
        return true;
    }

    /** The coordinate with −0.0 folded into 0.0, so that hashing and == agree. */
    private static double value(NpyArray positions, int f, int width, int c) {
        return positions.getDouble(positions.storageIndex((long) f * width + c)) + 0.0;
    }
}
