package org.gdml4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.gdml4j.solve.Json;
import org.gdml4j.solve.Progress;

import picocli.CommandLine.Option;

/** {@code --quiet} and {@code --log-json}: how much a command tells people and machines. */
final class OutputOptions {
    @Option(names = {"-q", "--quiet"}, description = "Print only results and errors (no plan, no progress).")
    boolean quiet;

    @Option(names = "--log-json", paramLabel = "FILE", description = "Also append the plan, events and final report as JSON lines to FILE (a new or regular file).")
    Path logJson;

    Progress progress(PrintWriter err) {
        return quiet ? Progress.NONE : new ConsoleProgress(err);
    }

    /** Appends one JSON object {"event": name, ...fields} as a line to the --log-json file, if any. */
    void log(String event, java.util.Map<String, ?> fields) {
        if (logJson == null) {
            return;
        }
        StringBuilder sb = new StringBuilder("{");
        Json.field(sb, "event", event);
        Json.field(sb, "time", java.time.Instant.now().toString());
        for (var e : fields.entrySet()) {
            Json.field(sb, e.getKey(), e.getValue());
        }
        sb.setLength(sb.length() - 1);
        sb.append("}\n");
        appendLine(sb.toString());
    }

    /** Appends a ready-made JSON object (e.g. a solve report) as a line. */
    void logRaw(String json) {
        if (logJson != null) {
            appendLine(json + "\n");
        }
    }

    /**
     * Appends through a link to its target, and only to a regular file or a new one: the commands check this before
     * their work ({@link CommandPaths#log}); checked again here because appending to a fifo would block forever.
     */
    private void appendLine(String line) {
        if (Files.exists(logJson) && !Files.isRegularFile(logJson)) {
            String problem = "cannot write the JSON log " + logJson + ": it is not a regular file";
            throw new UncheckedIOException(problem, new IOException(problem));
        }
        try {
            Files.writeString(logJson, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the JSON log " + logJson + ": " + e.getMessage(), e);
        }
    }

    /** Prints to the command's error stream unless quiet. */
    void say(PrintWriter err, String text) {
        if (!quiet) {
            err.println(text);
            err.flush();
        }
    }
}
