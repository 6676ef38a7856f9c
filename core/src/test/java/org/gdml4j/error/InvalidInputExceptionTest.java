package org.gdml4j.error;

import java.lang.foreign.MemorySegment;

import org.gdml4j.kernel.GdmlKernel;
import org.gdml4j.kernel.PairIndex;
import org.gdml4j.kernel.Symmetries;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.precond.RuleOfThumb;
import org.gdml4j.solve.Pcg;
import org.gdml4j.symmetry.Assignment;
import org.gdml4j.symmetry.SymmetricEigen;
import org.gdml4j.train.FrameSelection;
import org.gdml4j.train.TaskCreator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #14: what the user caused throws {@link InvalidInputException} (the CLI: exit 2, one line); a broken internal
 * contract stays a plain {@link IllegalArgumentException} (the CLI: an internal error, "please report").
 */
class InvalidInputExceptionTest {
    /** Ethanol-sized: 3 atoms, a C and two H. */
    private static final int[] Z = {6, 1, 1};

    @Test
    void parametersOutOfRangeAreInvalidInput() {
        assertInvalidInput(() -> new Pcg.Options(2, 100, 100, 100, 6, 3), "rtol");
        assertInvalidInput(() -> new Pcg.Options(1e-4, 0, 100, 100, 6, 3), "iteration limit");
        assertInvalidInput(() -> new TaskCreator.Options(10, 5, 0, null, true, -1, 1e-15), "--sigma");
        assertInvalidInput(() -> RuleOfThumb.k(1000, 0, 1), "k_min");
        // σ ≤ 0 through the public kernel API: refused before anything is computed
        assertInvalidInput(() -> GdmlKernel.create(CpuBackend.get(), geometry(0, 0, 0, 1, 0, 0, 0, 1, 0), 1, 3, Symmetries.identity(3), 0),
                "sigma");
    }

    @Test
    void optionValuesThatDoNotParseAreInvalidInput() {
        assertInvalidInput(() -> MemoryBudget.parseBytes("abc"), "abc");
        assertInvalidInput(() -> MemoryBudget.parseBytes("-2g"), "positive");
        assertInvalidInput(() -> PreconditionerKind.parse("x"), "unknown preconditioner 'x'");
        assertInvalidInput(() -> FrameSelection.parse("0:10:0", 20), "step");
        assertInvalidInput(() -> FrameSelection.parse("3,x", 20), "'x'");
    }

    @Test
    void inputDataThatCannotWorkIsInvalidInput() {
        // a symmetry that swaps a carbon and a hydrogen (a task's or model's 'perms')
        assertInvalidInput(() -> Symmetries.of(new int[][] {{0, 1, 2}, {1, 0, 2}}, Z), "atomic numbers");
        // two atoms in one place
        assertInvalidInput(() -> GdmlKernel.create(CpuBackend.get(), geometry(0, 0, 0, 0, 0, 0, 0, 1, 0), 1, 3, Symmetries.identity(3), 10),
                "coincide");
    }

    @Test
    void internalContractsStayPlainIllegalArgumentExceptions() {
        assertInternal(() -> new PairIndex(3).index(1, 1));
        assertInternal(() -> SymmetricEigen.of(new double[3], 2));
        assertInternal(() -> Assignment.solve(new double[3], 2));
        assertInternal(() -> GdmlKernel.create(CpuBackend.get(), geometry(0, 0, 0, 1, 0, 0, 0, 1, 0), 1, 3, Symmetries.identity(4), 10));
    }

    private static MemorySegment geometry(double... xyz) {
        return MemorySegment.ofArray(xyz);
    }

    private static void assertInvalidInput(Executable call, String named) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call);
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    private static void assertInternal(Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertFalse(e instanceof InvalidInputException, "an internal check, not the user's fault: " + e);
    }
}
