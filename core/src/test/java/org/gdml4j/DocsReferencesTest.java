package org.gdml4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Comments and build files point only into the repository: no source, build or documentation file names a
 * document kept outside it (the project's former notes beside the checkout), and every {@code docs/<file>.md §N}
 * reference, e.g. docs/sgdml-formulas.md §3, names a file under {@code docs/} with a heading for that section.
 * The {@code ../shared/data} folder the perf harness reads extra datasets from is data, not a document, and stays allowed.
 */
class DocsReferencesTest {
    /** Folders never scanned: build output, VCS and IDE state. */
    private static final Set<String> SKIPPED_DIRS = Set.of("target", ".git", ".idea", "out", "node_modules");
    /** Text files scanned by extension; files without one are scanned when they are scripts ({@code #!}). */
    private static final Set<String> EXTENSIONS = Set.of("java", "xml", "sh", "md", "h", "args", "properties");

    /**
     * References to documents outside the repository. The patterns are written so that this file's own text does not
     * match them; a same-named file under {@code docs/} is allowed (then the section check below applies).
     */
    static final List<Pattern> OUTSIDE = List.of(
            Pattern.compile("(?<!docs/)\\b(?:sgdml-reference|design|toolchain)\\.md\\b"),
            Pattern.compile("\\bpaper\\.txt\\b"),
            Pattern.compile("\\.\\./shared(?!/data\\b)"),
            Pattern.compile("\\bshared/(?:docs|seed)\\b"));

    /** {@code docs/<file>.md} optionally followed by section numbers: "§3", "§3.1", "§5, §6, §10.2", "§4-5". */
    static final Pattern DOC_REFERENCE = Pattern.compile(
            "\\bdocs/([A-Za-z0-9_.-]+\\.md)((?:\\s*(?:,|and|or|;)?\\s*§\\d+(?:\\.\\d+)*(?:[-–]\\d+(?:\\.\\d+)*)?)*)");
    private static final Pattern SECTION = Pattern.compile("§(\\d+(?:\\.\\d+)*)(?:[-–](\\d+(?:\\.\\d+)*))?");

    @Test
    void noReferenceToDocumentsOutsideTheRepository() {
        List<String> found = new ArrayList<>();
        for (Path file : sourceFiles()) {
            List<String> lines = lines(file);
            for (int i = 0; i < lines.size(); i++) {
                for (String hit : outsideReferences(lines.get(i))) {
                    found.add(where(file, i) + ": '" + hit + "' in: " + lines.get(i).strip());
                }
            }
        }
        assertTrue(found.isEmpty(), "references to documents outside the repository (write what the reader needs under"
                + " docs/ and point there):\n" + String.join("\n", found));
    }

    @Test
    void everyDocsReferenceHasItsFileAndSection() {
        Path root = TestData.root();
        Map<String, String> docs = new HashMap<>();
        List<String> broken = new ArrayList<>();
        int references = 0;
        for (Path file : sourceFiles()) {
            List<String> lines = lines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = DOC_REFERENCE.matcher(lines.get(i));
                while (m.find()) {
                    references++;
                    String name = m.group(1);
                    String text = docs.computeIfAbsent(name, n -> {
                        Path doc = root.resolve("docs").resolve(n);
                        return Files.isRegularFile(doc) ? read(doc) : null;
                    });
                    if (text == null) {
                        broken.add(where(file, i) + ": docs/" + name + " does not exist");
                        continue;
                    }
                    for (String section : sections(m.group(2))) {
                        if (!hasHeading(text, section)) {
                            broken.add(where(file, i) + ": docs/" + name + " has no heading for §" + section);
                        }
                    }
                }
            }
        }
        assertTrue(broken.isEmpty(), "broken docs/ references:\n" + String.join("\n", broken));
        assertTrue(references > 0, "no docs/ reference found at all: is the scan looking in the right place?");
    }

    /** The patterns themselves: what they must catch and what they must leave alone. */
    @Test
    void patternsCatchWhatTheyShould() {
        String md = ".md";
        assertEquals(List.of("sgdml-reference" + md), outsideReferences("(sgdml-reference" + md + " §3)"));
        assertEquals(List.of("toolchain" + md), outsideReferences("see toolchain" + md + " §9;"));
        assertEquals(List.of("design" + md), outsideReferences("formulation of design" + md + "."));
        assertEquals(List.of(".." + "/shared", "shared" + "/docs"), outsideReferences("read from .." + "/shared/" + "docs"));
        assertTrue(outsideReferences("rMD17 in .." + "/shared/data beside the checkout").isEmpty());
        assertTrue(outsideReferences("docs/design" + md + " §2").isEmpty());

        Matcher m = DOC_REFERENCE.matcher("model (docs/sgdml-formulas" + md + " §5, §6, §10.2): alphas");
        assertTrue(m.find());
        assertEquals("sgdml-formulas.md", m.group(1));
        assertEquals(List.of("5", "6", "10.2"), sections(m.group(2)));
        m = DOC_REFERENCE.matcher("(docs/sgdml-formulas" + md + " §8 steps 1-3)");
        assertTrue(m.find());
        assertEquals(List.of("8"), sections(m.group(2)));
        m = DOC_REFERENCE.matcher("docs/native-notes" + md + " §1-2");
        assertTrue(m.find());
        assertEquals(List.of("1", "2"), sections(m.group(2)));

        String doc = "# Title\n\n## §3 Kernel\n\n### §3.1 Base kernel\n\ntext §4 in prose\n";
        assertTrue(hasHeading(doc, "3"));
        assertTrue(hasHeading(doc, "3.1"));
        assertFalse(hasHeading(doc, "3.2"));
        assertFalse(hasHeading(doc, "4"));
        assertFalse(hasHeading("## §31 Other\n", "3"));
    }

    static List<String> outsideReferences(String line) {
        List<String> hits = new ArrayList<>();
        for (Pattern p : OUTSIDE) {
            Matcher m = p.matcher(line);
            while (m.find()) {
                hits.add(m.group());
            }
        }
        return hits;
    }

    /** The section numbers of a reference's tail; a range "§4-5" yields both ends. */
    static List<String> sections(String tail) {
        List<String> out = new ArrayList<>();
        Matcher m = SECTION.matcher(tail);
        while (m.find()) {
            out.add(m.group(1));
            if (m.group(2) != null) {
                out.add(m.group(2));
            }
        }
        return out;
    }

    /** A Markdown heading line that starts with "§section" (not "§section.1" or "§section0"). */
    static boolean hasHeading(String doc, String section) {
        Pattern heading = Pattern.compile("(?m)^#{1,6}\\s+§" + Pattern.quote(section) + "(?!\\.?\\d)");
        return heading.matcher(doc).find();
    }

    /** Every scanned file under the repository root (sources of all modules, poms, scripts, Markdown, headers). */
    private static List<Path> sourceFiles() {
        Path root = TestData.root();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> !skipped(root, p)).filter(Files::isRegularFile).filter(DocsReferencesTest::isText).sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(files.stream().anyMatch(p -> p.endsWith("pom.xml")), "no pom.xml under " + root);
        return files;
    }

    private static boolean skipped(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isText(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            return EXTENSIONS.contains(name.substring(dot + 1));
        }
        if (dot == 0) {
            return false;
        }
        try (var in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == '#' && head[1] == '!';
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> lines(Path p) {
        return read(p).lines().toList();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(p.toString(), e);
        }
    }

    private static String where(Path file, int line) {
        return TestData.root().relativize(file) + ":" + (line + 1);
    }
}
