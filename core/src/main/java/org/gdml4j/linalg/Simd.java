package org.gdml4j.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place that picks the Vector API species of gdml4j's SIMD loops, so every loop runs at the same width and
 * tests can force a narrower one: the machine's preferred shape, or the shape named by the system property
 * {@code gdml4j.simd.bits} (64, 128, 256 or 512), capped at the preferred one (a wider shape than the hardware has
 * runs in the Vector API's slow Java fallback, which measures nothing and tests nothing new). Narrow widths exist
 * for tests: on an AVX-512 machine they exercise the loop tails and lane counts that AVX2 or NEON machines run.
 *
 * <p>Read once, when the class loads: set the property on the command line ({@code -Dgdml4j.simd.bits=128}).
 */
public final class Simd {
    /** The property that narrows the SIMD width. */
    public static final String BITS_PROPERTY = "gdml4j.simd.bits";

    /** Species of double loops. At 64 bits it has a single lane. */
    public static final VectorSpecies<Double> DOUBLE;

    /**
     * Species of loops that widen FP32 loads to FP64 lanes ({@code F2D}): these need a float species with the same
     * lane count, which exists only from two lanes up (there is no 32-bit shape), so at 64 bits they keep 128.
     */
    public static final VectorSpecies<Double> WIDENED;

    /** Float species of half {@link #WIDENED}'s width: the same number of lanes, so one load widens to one double vector. */
    public static final VectorSpecies<Float> FLOAT;

    static {
        int preferred = DoubleVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = chosenBits(System.getProperty(BITS_PROPERTY), preferred);
        DOUBLE = DoubleVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(bits));
        WIDENED = DOUBLE.length() >= 2 ? DOUBLE : DoubleVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Math.min(128, preferred)));
        FLOAT = FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(WIDENED.vectorBitSize() / 2));
    }

    private Simd() {
    }

    /**
     * The width in bits for a property value ({@code null}: not set) on a machine whose preferred width is
     * {@code preferred}. A value that is not one of the shapes is refused rather than ignored, so a mistyped test
     * setting cannot silently test the default width.
     */
    static int chosenBits(String property, int preferred) {
        if (property == null || property.isBlank()) {
            return preferred;
        }
        int bits;
        try {
            bits = Integer.parseInt(property.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BITS_PROPERTY + " must be 64, 128, 256 or 512, got '" + property + "'");
        }
        if (bits != 64 && bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException(BITS_PROPERTY + " must be 64, 128, 256 or 512, got " + bits);
        }
        return Math.min(bits, preferred);
    }

    /** For messages and benchmark headers: e.g. "256-bit, 4 double lanes". */
    public static String describe() {
        return DOUBLE.vectorBitSize() + "-bit, " + DOUBLE.length() + " double lane" + (DOUBLE.length() == 1 ? "" : "s")
                + (WIDENED == DOUBLE ? "" : " (FP32-to-FP64 loops: " + WIDENED.vectorBitSize() + "-bit)");
    }
}
