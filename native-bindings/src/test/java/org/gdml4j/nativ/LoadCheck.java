package org.gdml4j.nativ;

/** Child-process entry point for loader tests: loads BLAS and reports like the CLI does (message, exit 3). */
public final class LoadCheck {
    private LoadCheck() {
    }

    public static void main(String[] args) {
        try {
            System.out.println("loaded: " + NativeLibraries.blas().describe());
        } catch (NativeLibraryException e) {
            System.out.println("error: " + e.getMessage());
            System.exit(3);
        }
    }
}
