package org.gdml4j.train;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import org.gdml4j.io.NpyArray;
import org.gdml4j.io.Task;

/**
 * SHA-256 fingerprints that tie a PCG checkpoint to what it was computed from: the task's content (every entry's key,
 * type, shape and bytes: the training data, symmetries, σ and λ) and the options that change the model. A resumed solve
 * must continue the very same computation, so anything else is refused.
 */
final class Fingerprints {
    private Fingerprints() {
    }

    static String task(Task task) {
        MessageDigest md = sha256();
        for (Map.Entry<String, NpyArray> e : task.entries().entrySet()) {
            NpyArray a = e.getValue();
            text(md, e.getKey());
            text(md, a.isObject() ? "object" : a.dtype() + "/" + a.fortranOrder());
            text(md, Arrays.toString(a.shape()));
            if (a.isObject()) {
                text(md, String.valueOf(a.objectValue()));
            } else {
                MemorySegment data = a.data();
                md.update(data.asByteBuffer());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * The options that change the numbers: preconditioner kind and its planned k, the factor's precision, rtol, the
     * iteration limit, growth, the seed and the warm start. Not the thread count (it is recorded beside; different
     * counts give the same answer to within rounding) nor reporting options.
     */
    static String options(SolveOptions o, int k, long maxIter) {
        MessageDigest md = sha256();
        text(md, o.precond().cliName());
        text(md, Integer.toString(k));
        text(md, o.precision().name());
        text(md, Double.toString(o.rtol()));
        text(md, Long.toString(maxIter));
        text(md, Boolean.toString(o.grow()));
        text(md, Long.toString(o.seed()));
        text(md, o.lambdaPath() ? "lambda path" : "task lambda");
        if (o.warmStart() != null) {
            ByteBuffer b = ByteBuffer.allocate(8 * o.warmStart().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asDoubleBuffer().put(o.warmStart());
            md.update(b);
        } else {
            text(md, "cold start");
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A string with its length in front, so that two fields can never run into each other. */
    private static void text(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(4).putInt(b.length).array());
        md.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e); // every Java SE platform must have it
        }
    }
}
