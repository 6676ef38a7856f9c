package org.gdml4j.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.gdml4j.cli.Main;

/** Runs the gdml4j command line in-process and captures what a user would see. */
final class Cli {
    record Result(int exit, String out, String err) {
        /**
         * The user-facing error: exactly one line starting with "gdml4j: error:", no stack trace. It ends stderr, or
         * comes just before the hint that follows a command-line (parser) error ("try 'gdml4j solve --help'").
         */
        String errorLine() {
            String[] lines = err.strip().split("\n");
            String last = lines[lines.length - 1];
            if (lines.length > 1 && last.endsWith(" --help'")) {
                last = lines[lines.length - 2];
            }
            long errors = err.lines().filter(l -> l.startsWith("gdml4j: error: ")).count();
            if (!last.startsWith("gdml4j: error: ") || errors != 1 || err.contains("\tat ")) {
                throw new AssertionError("expected one clear error line, got:\n" + err);
            }
            return last;
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
