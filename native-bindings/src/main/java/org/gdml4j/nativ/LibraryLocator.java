package org.gdml4j.nativ;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a shared library file by name in an ordered list of directories.
 *
 * <p>The JDK can only load a library by absolute path (or by its own {@code java.library.path} rules), while
 * users and CUDA installations name libraries by soname ({@code libcublas.so.13}) in places that differ per
 * machine: a toolkit under {@code /usr/local/cuda}, Python wheels ({@code site-packages/nvidia/X/lib}), the
 * system library directories. This resolves a name against explicit directories first, then
 * {@code LD_LIBRARY_PATH}, then the usual system directories.
 */
final class LibraryLocator {
    private final List<Path> dirs;

    LibraryLocator(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    /** The directories searched, in order. */
    List<Path> dirs() {
        return dirs;
    }

    /**
     * The first existing file named {@code name} in the search directories. A name with a '/' is a path, checked as
     * is (relative to the working folder), as {@code dlopen} treats it.
     */
    Optional<Path> find(String name) {
        Path p = Path.of(name);
        if (isPath(name)) {
            return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        for (Path d : dirs) {
            Path c = d.resolve(name);
            if (Files.isRegularFile(c)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * Why {@link #find} found nothing, for a message: a path (absolute, or with a '/') that does not exist or is not a
     * file was checked as is (listing the search folders would mislead), a bare name was looked for in {@link #dirs()}.
     */
    String whyNotFound(String name) {
        Path p = Path.of(name);
        if (isPath(name)) {
            if (Files.isDirectory(p)) {
                return name + " is a folder, not a library file";
            }
            return Files.exists(p) ? name + " is not a regular file" : name + " does not exist";
        }
        return "'" + name + "' was not found in " + dirs;
    }

    private static boolean isPath(String name) {
        return name.indexOf('/') >= 0;
    }

    /** The first of several candidate names that exists (e.g. sonames of consecutive major versions). */
    Optional<Path> findAny(List<String> names) {
        for (String n : names) {
            Optional<Path> p = find(n);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /** Splits a path list (':' separated, empty entries ignored). */
    static List<Path> splitPathList(String list) {
        List<Path> out = new ArrayList<>();
        if (list != null) {
            for (String s : list.split(File.pathSeparator)) {
                if (!s.isBlank()) {
                    out.add(Path.of(s.trim()));
                }
            }
        }
        return out;
    }

    /** {@code LD_LIBRARY_PATH} followed by the common system library directories of x86-64 Linux. */
    static List<Path> systemDirs() {
        Set<Path> out = new LinkedHashSet<>(splitPathList(System.getenv("LD_LIBRARY_PATH")));
        for (String s : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64",
                "/usr/lib", "/lib", "/usr/local/lib", "/usr/lib/wsl/lib")) {
            out.add(Path.of(s));
        }
        return List.copyOf(out);
    }

    /**
     * Directories where CUDA libraries usually live: {@code $CUDA_HOME/lib64}, {@code /usr/local/cuda/lib64}, and
     * the {@code nvidia/<component>/lib} folders of Python wheels in site-packages of common interpreters.
     */
    static List<Path> cudaDirs() {
        Set<Path> out = new LinkedHashSet<>();
        for (String env : List.of("CUDA_HOME", "CUDA_PATH")) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) {
                out.add(Path.of(v, "lib64"));
                out.add(Path.of(v, "lib"));
            }
        }
        out.add(Path.of("/usr/local/cuda/lib64"));
        List<Path> pythonRoots = new ArrayList<>();
        for (String env : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) {
                pythonRoots.add(Path.of(v, "lib"));
            }
        }
        String home = System.getProperty("user.home");
        pythonRoots.add(Path.of(home, ".local", "lib"));
        pythonRoots.add(Path.of("/usr/local/lib"));
        pythonRoots.add(Path.of("/usr/lib"));
        pythonRoots.add(Path.of("/opt/conda/lib"));
        for (Path pyenv : children(Path.of(home, ".pyenv", "versions"))) {
            pythonRoots.add(pyenv.resolve("lib"));
        }
        for (Path root : pythonRoots) {
            for (Path py : children(root)) {
                if (!py.getFileName().toString().startsWith("python3")) {
                    continue;
                }
                for (String pkgs : List.of("site-packages", "dist-packages")) {
                    for (Path component : children(py.resolve(pkgs).resolve("nvidia"))) {
                        out.add(component.resolve("lib"));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        } catch (IOException | SecurityException e) {
            // unreadable folder: nothing to find there
        }
        out.sort(null);
        return out;
    }
}
