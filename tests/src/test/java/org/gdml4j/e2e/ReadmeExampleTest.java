package org.gdml4j.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java example in README.md compiles against the library and runs (from a folder where {@code data/} is). */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theLibraryExampleCompilesAndRuns() throws IOException, InterruptedException {
        String readme = Files.readString(TestData.root().resolve("README.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has no ```java example");
        String source = m.group(1);
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find(), "the example must declare a public class");
        Path file = dir.resolve(cls.group(1) + ".java");
        Files.writeString(file, source, StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK");
        String cp = System.getProperty("java.class.path");
        int rc = javac.run(null, null, null, "--add-modules", "jdk.incubator.vector", "-cp", cp, "-d", dir.toString(), file.toString());
        assertEquals(0, rc, "the README example does not compile");
        Files.createSymbolicLink(dir.resolve("data"), TestData.root().resolve("data"));
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", dir + java.io.File.pathSeparator + cp, cls.group(1));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        System.out.println("[readme] " + out.strip().replace("\n", " | "));
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith("-model.npz")), "the example writes a model");
        }
    }
}
