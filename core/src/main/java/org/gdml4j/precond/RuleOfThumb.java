package org.gdml4j.precond;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The paper's rule of thumb for the number of inducing columns (eq. 8): minimising the modelled cost
 * n³[(k_min/k)^m + (k/n)²] gives k = ((k_min^m · m · n²)/2)^(1/(2+m)). Rules: {@code default} (m = 1,
 * k_min = 100), {@code naive} (k = n/100), {@code specific} (Table I, found by comparing the task's atoms to
 * each molecule's composition, not its name; an unknown molecule falls back to default with a notice).
 */
public final class RuleOfThumb {
    /** A molecule of Table I: its element counts (sorted atomic numbers), m and k_min. */
    record Entry(String name, int[] zSorted, double m, double kMin) {
    }

    private static final List<Entry> TABLE_I = List.of(
            new Entry("ethanol", formula(2, 6, 1, 0, 0), 0.87, 10),
            new Entry("uracil", formula(4, 4, 2, 2, 0), 1.07, 32),
            new Entry("toluene", formula(7, 8, 0, 0, 0), 1.01, 44),
            new Entry("aspirin", formula(9, 8, 4, 0, 0), 1.14, 236),
            new Entry("azobenzene", formula(12, 10, 0, 2, 0), 1.02, 62));

    /** Molecules of Table I known only by size: the paper gives their atom count d, not their formula. */
    private static final double[][] BY_SIZE = {{88, 1.02, 316}, {370, 0.73, 89}}; // catcher, nanotube

    private RuleOfThumb() {
    }

    /** Sorted atomic numbers of C_c H_h O_o N_nN, with a trailing count of other atoms (unused, 0). */
    private static int[] formula(int c, int h, int o, int n, int other) {
        int[] z = new int[c + h + o + n + other];
        int p = 0;
        for (int i = 0; i < h; i++) {
            z[p++] = 1;
        }
        for (int i = 0; i < c; i++) {
            z[p++] = 6;
        }
        for (int i = 0; i < n; i++) {
            z[p++] = 7;
        }
        for (int i = 0; i < o; i++) {
            z[p++] = 8;
        }
        return z;
    }

    /** eq. 8, rounded to the nearest integer and clamped to [1, n]. */
    public static int k(long n, double kMin, double m) {
        if (!(kMin > 0) || !(m > 0)) {
            throw new org.gdml4j.error.InvalidInputException("the rule of thumb needs k_min > 0 and m > 0, got " + kMin + ", " + m);
        }
        double k = Math.pow(Math.pow(kMin, m) * m * (double) n * n / 2, 1 / (2 + m));
        return (int) Math.max(1, Math.min(n, Math.round(k)));
    }

    /** The rule's k and how it was found, for the plan. */
    public record Choice(int k, String rule, String explanation) {
    }

    public static Choice choose(String rule, long n, int[] z, Double kMin, Double m) {
        String r = rule.toLowerCase(Locale.ROOT);
        switch (r) {
            case "default" -> {
                return new Choice(k(n, kMin == null ? 100 : kMin, m == null ? 1 : m), "default",
                        String.format(Locale.ROOT, "rule of thumb (eq. 8), k_min = %s, m = %s", kMin == null ? "100" : kMin, m == null ? "1" : m));
            }
            case "naive" -> {
                return new Choice((int) Math.max(1, n / 100), "naive", "k = n/100");
            }
            case "specific" -> {
                int[] sorted = z.clone();
                Arrays.sort(sorted);
                for (Entry e : TABLE_I) {
                    if (Arrays.equals(e.zSorted(), sorted)) {
                        return new Choice(k(n, e.kMin(), e.m()), "specific", String.format(Locale.ROOT,
                                "rule of thumb, Table I entry for %s: k_min = %s, m = %s", e.name(), e.kMin(), e.m()));
                    }
                }
                for (double[] e : BY_SIZE) {
                    if (z.length == (int) e[0]) {
                        return new Choice(k(n, e[2], e[1]), "specific", String.format(Locale.ROOT,
                                "rule of thumb, Table I entry for d = %d atoms: k_min = %s, m = %s", z.length, e[2], e[1]));
                    }
                }
                if (kMin != null || m != null) {
                    return new Choice(k(n, kMin == null ? 100 : kMin, m == null ? 1 : m), "specific",
                            "rule of thumb with the given k_min/m (molecule not in Table I)");
                }
                return new Choice(k(n, 100, 1), "default",
                        "molecule not in Table I: default rule of thumb (k_min = 100, m = 1); give --k-min/--m to tune it");
            }
            default -> throw new org.gdml4j.error.InvalidInputException("unknown k rule '" + rule + "' (choose: cost, default, naive, specific)");
        }
    }
}
