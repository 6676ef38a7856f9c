package org.gdml4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.error.NumericalFailureException;
import org.gdml4j.io.SgdmlFormatException;
import org.gdml4j.linalg.InsufficientMemoryException;
import org.gdml4j.nativ.NativeLibraryException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #14: which exceptions are bad input (exit 2), the environment (exit 1) or a bug (exit 1, "please report"). */
class ErrorKindsTest {
    @Test
    void badInputExitsTwo() {
        for (Throwable t : new Throwable[] {new InvalidInputException("--rtol must be in (0, 1)"), new SgdmlFormatException("x.npz: not a zip")}) {
            assertEquals(Main.EXIT_USAGE, Main.exitCodeFor(t), t.toString());
            assertFalse(Main.isInternal(t), t.toString());
        }
    }

    @Test
    void theEnvironmentExitsOne() {
        for (Throwable t : new Throwable[] {new IOException("disk full"), new UncheckedIOException(new IOException("disk full")),
                new InsufficientMemoryException("needs 2 GB", 2, 1), new NativeLibraryException("no BLAS"),
                new NumericalFailureException("a Jacobi block is not positive definite")}) {
            assertEquals(Main.EXIT_FAILURE, Main.exitCodeFor(t), t.toString());
            assertFalse(Main.isInternal(t), t.toString());
        }
    }

    @Test
    void anythingElseIsAnInternalError() {
        for (Throwable t : new Throwable[] {new IllegalArgumentException("gemm: 3x4 times 5x6"), new IllegalStateException("x"),
                new NullPointerException(), new ArithmeticException("integer overflow"), new StackOverflowError()}) {
            assertEquals(Main.EXIT_FAILURE, Main.exitCodeFor(t), t.toString());
            assertTrue(Main.isInternal(t), t.toString());
        }
        assertEquals("NullPointerException", Main.internalMessage(new NullPointerException()));
        assertEquals("IllegalStateException: x", Main.internalMessage(new IllegalStateException("x")));
    }

    /** A static initialiser that fails with a bug is reported as that bug (it used to escape with a raw trace). */
    @Test
    void aFailedStaticInitialiserIsReportedByItsCause() {
        NullPointerException bug = new NullPointerException("in <clinit>");
        Throwable cause = Main.initialisationCause(new ExceptionInInitializerError(bug));
        assertSame(bug, cause);
        assertTrue(Main.isInternal(cause));
        NativeLibraryException blas = new NativeLibraryException("no BLAS");
        assertSame(blas, Main.initialisationCause(new ExceptionInInitializerError(blas)));
        // a later use of the class: no cause; unless BLAS failed to load, the error itself, an internal error
        NoClassDefFoundError later = new NoClassDefFoundError("Could not initialize class org.gdml4j.Example");
        Throwable c = Main.initialisationCause(later);
        assertTrue(c == later || c instanceof NativeLibraryException, c.toString());
    }
}
