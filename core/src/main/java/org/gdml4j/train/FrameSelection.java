package org.gdml4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.error.InvalidInputException;

/**
 * Frame indices given on the command line: {@code all}, a Python-style range {@code start:stop[:step]} (stop
 * exclusive; empty parts default to 0 / the end / 1), a comma list {@code 3,7,11}, or {@code @FILE} with
 * whitespace- or comma-separated integers. Every index is checked against the number of frames.
 */
public final class FrameSelection {
    private FrameSelection() {
    }

    public static long[] parse(String spec, long frames) {
        String s = spec.trim();
        List<Long> out = new ArrayList<>();
        if (s.equals("all") || s.equals(":")) {
            for (long i = 0; i < frames; i++) {
                out.add(i);
            }
        } else if (s.startsWith("@")) {
            try {
                for (String tok : Files.readString(Path.of(s.substring(1))).split("[\\s,]+")) {
                    if (!tok.isBlank()) {
                        out.add(number(tok, spec));
                    }
                }
            } catch (IOException e) {
                throw new InvalidInputException("cannot read the index file " + s.substring(1) + ": " + e.getMessage());
            }
        } else if (s.contains(":")) {
            String[] p = s.split(":", -1);
            if (p.length > 3) {
                throw new InvalidInputException("bad index range '" + spec + "' (expected start:stop[:step])");
            }
            long start = p[0].isBlank() ? 0 : number(p[0], spec);
            long stop = p[1].isBlank() ? frames : number(p[1], spec);
            long step = p.length == 3 && !p[2].isBlank() ? number(p[2], spec) : 1;
            if (step <= 0) {
                throw new InvalidInputException("bad index range '" + spec + "': step must be positive");
            }
            if (stop > frames) {
                throw new InvalidInputException("index range '" + spec + "' ends at " + stop + " but there are only " + frames + " frames");
            }
            for (long i = start; i < stop; i += step) {
                out.add(i);
            }
        } else {
            for (String tok : s.split(",")) {
                out.add(number(tok, spec));
            }
        }
        long[] idx = out.stream().mapToLong(Long::longValue).toArray();
        for (long i : idx) {
            if (i < 0 || i >= frames) {
                throw new InvalidInputException("frame index " + i + " is out of range (the dataset has " + frames + " frames)");
            }
        }
        if (idx.length == 0) {
            throw new InvalidInputException("the selection '" + spec + "' contains no frames");
        }
        return idx;
    }

    /** The rows {@code frames} of a (frames, atoms, 3) float64 array, copied into one contiguous segment. */
    public static java.lang.foreign.MemorySegment gather(java.lang.foreign.Arena arena, java.lang.foreign.MemorySegment all,
            long[] frames, int atoms) {
        long row = 3L * atoms * 8;
        java.lang.foreign.MemorySegment dst = arena.allocate(Math.max(1, frames.length * row), 64);
        for (int i = 0; i < frames.length; i++) {
            java.lang.foreign.MemorySegment.copy(all, frames[i] * row, dst, i * row, row);
        }
        return dst;
    }

    private static long number(String tok, String spec) {
        try {
            return Long.parseLong(tok.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("bad frame index '" + tok.trim() + "' in '" + spec + "'");
        }
    }
}
