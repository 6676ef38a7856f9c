package org.gdml4j.symmetry;

import java.util.List;

import org.gdml4j.kernel.Symmetries;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PermutationGroupTest {
    private static final int[] SWAP01 = {1, 0, 2, 3, 4};
    private static final int[] CYCLE012 = {1, 2, 0, 3, 4};
    private static final int[] CYCLE0123 = {1, 2, 3, 0, 4};
    private static final int[] CYCLE01234 = {1, 2, 3, 4, 0};

    @Test
    void closureGeneratesTheGroup() {
        int[] z = {1, 1, 1, 1, 1};
        int[][] s3 = PermutationGroup.closure(List.of(SWAP01, CYCLE012), 5, 100);
        assertEquals(6, s3.length);
        assertArrayEquals(PermutationGroup.identity(5), s3[0], "identity first");
        Symmetries.of(s3, z);
        assertEquals(24, PermutationGroup.closure(List.of(SWAP01, CYCLE0123), 5, 100).length);
        assertEquals(4, PermutationGroup.closure(List.of(CYCLE0123), 5, 100).length);
        assertEquals(1, PermutationGroup.closure(List.of(), 5, 100).length);
    }

    @Test
    void closureGivesUpAtTheLimit() {
        assertNull(PermutationGroup.closure(List.of(SWAP01, CYCLE01234), 5, 100), "S5 has 120 elements");
        assertNull(PermutationGroup.closure(List.of(SWAP01, CYCLE012), 5, 6), "reaching the limit counts as failure");
        assertEquals(6, PermutationGroup.closure(List.of(SWAP01, CYCLE012), 5, 7).length);
    }

    @Test
    void salvageDropsPermutationsWhoseCyclesOverlapLongerOnes() {
        int[] id = PermutationGroup.identity(5);
        int[] swap34 = {0, 1, 2, 4, 3};
        List<int[]> kept = PermutationGroup.salvage(List.of(id, SWAP01, CYCLE012, swap34));
        assertEquals(3, kept.size());
        assertArrayEquals(id, kept.get(0));
        assertArrayEquals(CYCLE012, kept.get(1));
        assertArrayEquals(swap34, kept.get(2));
    }

    @Test
    void cyclesAndSorting() {
        List<int[]> cy = PermutationGroup.cycles(new int[] {2, 1, 0, 4, 5, 3});
        assertEquals(2, cy.size());
        assertArrayEquals(new int[] {0, 2}, cy.get(0));
        assertArrayEquals(new int[] {3, 4, 5}, cy.get(1));
        int[][] s = PermutationGroup.sort(List.of(SWAP01, PermutationGroup.identity(5), SWAP01));
        assertEquals(2, s.length);
        assertArrayEquals(PermutationGroup.identity(5), s[0]);
        assertArrayEquals(new int[] {1, 2, 0, 3, 4}, PermutationGroup.compose(SWAP01, new int[] {0, 2, 1, 3, 4}));
    }
}
