package org.gdml4j.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;

/**
 * The OpenBLAS build that Maven brings ({@code org.bytedeco:openblas}, classifier {@code linux-x86_64}): its
 * {@code libopenblas.so.0} (with LAPACK) and runtime libraries are class-path resources. They are copied
 * once into a cache folder (one per version) and loaded from there; {@code libopenblas.so.0} finds its
 * neighbours through its {@code $ORIGIN} run path.
 */
final class BundledOpenBlas {
    private static final String RESOURCE_DIR = "org/bytedeco/openblas/linux-x86_64/";
    static final String LIBRARY = "libopenblas.so.0";
    private static final List<String> FILES = List.of(LIBRARY, "libgfortran.so.5", "libquadmath.so.0", "libgcc_s.so.1");

    private BundledOpenBlas() {
    }

    /** The version of the bundled artifact, e.g. {@code 0.3.31-1.5.13}, or null when it is not on the class path. */
    static String version() {
        try (InputStream in = resource("META-INF/maven/org.bytedeco/openblas/pom.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }

    static boolean present() {
        return BundledOpenBlas.class.getClassLoader().getResource(RESOURCE_DIR + LIBRARY) != null;
    }

    /**
     * Copies the libraries into {@code cacheRoot/openblas-VERSION/} unless an identical copy is there, and returns
     * the path of {@code libopenblas.so.0}. Each file is written to a temporary name and renamed, so concurrent
     * first runs and interrupted copies never leave a truncated library behind.
     */
    static Path extract(Path cacheRoot) throws IOException {
        String version = version();
        Path dir = cacheRoot.resolve("openblas-" + (version == null ? "unknown" : version));
        Files.createDirectories(dir);
        for (String f : FILES) {
            URL url = BundledOpenBlas.class.getClassLoader().getResource(RESOURCE_DIR + f);
            if (url == null) {
                if (f.equals(LIBRARY)) {
                    throw new IOException("resource " + RESOURCE_DIR + f + " is not on the class path");
                }
                continue; // a runtime library the build does not ship: the system's is used
            }
            URLConnection conn = url.openConnection();
            long size = conn.getContentLengthLong();
            Path target = dir.resolve(f);
            if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
                continue;
            }
            Path tmp = Files.createTempFile(dir, f, ".part");
            try (InputStream in = conn.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return dir.resolve(LIBRARY);
    }

    /** Where extracted libraries go: {@code gdml4j.native.cache}, else {@code $XDG_CACHE_HOME/gdml4j}, else {@code ~/.cache/gdml4j}. */
    static List<Path> cacheRoots() {
        String prop = System.getProperty("gdml4j.native.cache");
        if (prop != null && !prop.isBlank()) {
            return List.of(Path.of(prop));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path home = (xdg != null && !xdg.isBlank()) ? Path.of(xdg, "gdml4j")
                : Path.of(System.getProperty("user.home"), ".cache", "gdml4j");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "gdml4j-" + System.getProperty("user.name", "user"));
        return List.of(home, tmp);
    }

    private static InputStream resource(String name) {
        return BundledOpenBlas.class.getClassLoader().getResourceAsStream(name);
    }
}
