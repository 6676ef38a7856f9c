package org.gdml4j.precond;

import java.util.Arrays;
import java.util.Locale;

/** The preconditioners of the paper (§III, Appendices A-B) by their CLI names. */
public enum PreconditionerKind {
    UNIFORM("uniform", true),
    LEVERAGE("leverage", true),
    CHOLESKY("cholesky", true),
    EIGEN("eigen", true),
    RANK_K_LEVERAGE("rank-k-leverage", true),
    BLOCK_JACOBI("block-jacobi", false),
    ATOM_JACOBI("atom-jacobi", false),
    NONE("none", false);

    private final String cliName;
    private final boolean lowRank;

    PreconditionerKind(String cliName, boolean lowRank) {
        this.cliName = cliName;
        this.lowRank = lowRank;
    }

    public String cliName() {
        return cliName;
    }

    /** Whether it has a size k (a low-rank part); the Jacobi baselines and none do not. */
    public boolean lowRank() {
        return lowRank;
    }

    /** Only feasible for small n: needs the dense K and its eigendecomposition. */
    public boolean dense() {
        return this == EIGEN || this == RANK_K_LEVERAGE;
    }

    /** Nyström from drawn columns (uniform, leverage, rank-k-leverage): the factor is a function of its columns alone. */
    public boolean sampled() {
        return this == UNIFORM || this == LEVERAGE || this == RANK_K_LEVERAGE;
    }

    public static PreconditionerKind parse(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (PreconditionerKind k : values()) {
            if (k.cliName.equals(s)) {
                return k;
            }
        }
        throw new org.gdml4j.error.InvalidInputException("unknown preconditioner '" + name + "' (choose: "
                + String.join(", ", Arrays.stream(values()).map(PreconditionerKind::cliName).toList()) + ")");
    }
}
