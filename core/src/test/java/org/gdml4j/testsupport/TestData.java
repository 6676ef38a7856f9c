package org.gdml4j.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates the repository's shipped data ({@code data/}) and sGDML golden fixtures ({@code testdata/fixtures/}) from
 * whatever folder the tests run in (Maven runs each module in its own folder). A missing data folder fails the test
 * instead of skipping it: these files are part of the repository, so their absence is a broken checkout.
 */
public final class TestData {
    private static Path root;

    private TestData() {
    }

    /** The repository root: the nearest folder, upwards from the working directory, with {@code testdata/fixtures} and {@code data}. */
    public static synchronized Path root() {
        if (root == null) {
            Path start = Path.of("").toAbsolutePath();
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("testdata/fixtures")) && Files.isDirectory(p.resolve("data"))) {
                    root = p;
                    return root;
                }
            }
            throw new IllegalStateException("no folder with testdata/fixtures and data/ above " + start
                    + "; the test data is part of the repository, is the checkout complete?");
        }
        return root;
    }

    /** {@code testdata/fixtures/<fixtureCase>/<file>}, e.g. {@code fixture("ethanol-sym-m30", "model.npz")}. */
    public static Path fixture(String fixtureCase, String file) {
        return existing(root().resolve("testdata/fixtures").resolve(fixtureCase).resolve(file));
    }

    /** {@code data/<name>}, e.g. {@code dataset("rmd17_ethanol.npz")}; the {@code .npz} suffix may be left out. */
    public static Path dataset(String name) {
        return existing(root().resolve("data").resolve(name.endsWith(".npz") ? name : name + ".npz"));
    }

    /** The fixture case names (folder names under {@code testdata/fixtures}), sorted. */
    public static List<String> fixtureCases() {
        try (Stream<Path> s = Files.list(root().resolve("testdata/fixtures"))) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every {@code .npz} under {@code data/} and {@code testdata/fixtures/}, sorted. */
    public static List<Path> allNpzFiles() {
        List<Path> all = new ArrayList<>();
        for (String dir : new String[] {"data", "testdata/fixtures"}) {
            try (Stream<Path> s = Files.walk(root().resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".npz")).sorted().forEach(all::add);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return all;
    }

    private static Path existing(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("test data file missing: " + p);
        }
        return p;
    }
}
