package org.gdml4j.e2e;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.gdml4j.io.Model;
import org.gdml4j.testsupport.Fifos;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outputs never clobber what they must not (issue #13): links are written through, devices and fifos are refused,
 * the files of one command are all distinct, {@code --log-json} is checked before the work, and temporary files of
 * killed runs are cleaned up by the next write.
 */
class OutputSafetyTest {
    @TempDir
    Path dir;

    private final Path fixtureTask = TestData.fixture("ethanol-sym-m30", "task.npz");
    private final String ethanol = TestData.dataset("rmd17_ethanol").toString();

    private List<String> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean isOther(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
    }

    /** The refusal came before the work: the plan (printed before solving) and the create step never showed up. */
    private static void refusedBeforeWork(Cli.Result r) {
        assertEquals(2, r.exit(), r.out() + r.err());
        r.errorLine();
        assertEquals(1, r.err().strip().lines().count(), "only the error line: " + r.err());
        assertEquals("", r.out(), "no result was printed");
    }

    @Test
    void aSymlinkAsOutputWritesItsTargetAndStaysALink() throws IOException {
        Path models = Files.createDirectory(dir.resolve("models"));
        Path target = models.resolve("model.npz");
        Path link = Files.createSymbolicLink(dir.resolve("latest.npz"), Path.of("models/model.npz")); // dangling until written
        Cli.Result r = Cli.run("solve", fixtureTask.toString(), "-o", link.toString(), "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a file");
        assertEquals(Path.of("models/model.npz"), Files.readSymbolicLink(link));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(30, Model.load(target, arena).trainSize(), "the link's target holds the model");
        }
        assertEquals(List.of("model.npz"), files(models));

        // validate rewrites its model in place: through the link as well
        byte[] solved = Files.readAllBytes(target);
        Cli.Result v = Cli.run("validate", link.toString(), ethanol);
        assertEquals(0, v.exit(), v.err());
        assertTrue(Files.isSymbolicLink(link), "validate replaced the link by a file");
        assertFalse(java.util.Arrays.equals(solved, Files.readAllBytes(target)), "the errors were recorded in the target");
        assertEquals(List.of("latest.npz", "models"), files(dir));
        assertEquals(List.of("model.npz"), files(models));
    }

    /** Renaming a file over /dev/null as root replaces the device for the whole machine. */
    @Test
    void devNullAsOutputIsRefusedAndStaysADevice() throws IOException {
        Path devNull = Path.of("/dev/null");
        Assumptions.assumeTrue(Files.exists(devNull) && isOther(devNull), "no /dev/null device here");
        Cli.Result r = Cli.run("solve", fixtureTask.toString(), "-o", devNull.toString());
        System.out.println("[refused] -o /dev/null -> " + r.err().strip());
        refusedBeforeWork(r);
        assertTrue(r.errorLine().contains("-o /dev/null") && r.errorLine().contains("not a regular file"), r.errorLine());
        assertTrue(isOther(devNull), "/dev/null must stay a character device");
    }

    @Test
    void aFifoAsOutputIsRefusedAndStaysAFifo() throws IOException {
        Path fifo = Fifos.make(dir.resolve("model.npz"));
        Cli.Result r = Cli.run("solve", fixtureTask.toString(), "-o", fifo.toString());
        refusedBeforeWork(r);
        assertTrue(r.errorLine().contains("not a regular file"), r.errorLine());
        assertTrue(isOther(fifo), "still a fifo");
    }

    /** {@code train --save-task X -o X} used to write the model, then the task over it, and exit 0. */
    @Test
    void theTaskAndTheModelOfTrainMustBeTwoFiles() throws IOException {
        Path model = dir.resolve("out.npz");
        Cli.Result r = Cli.run("train", ethanol, "-n", "20", "--save-task", model.toString(), "-o", model.toString());
        refusedBeforeWork(r);
        assertTrue(r.errorLine().contains("-o") && r.errorLine().contains("--save-task") && r.errorLine().contains("same file"),
                r.errorLine());

        // the same file through a link, though neither exists yet
        Path alias = Files.createSymbolicLink(dir.resolve("alias.npz"), Path.of("out.npz"));
        refusedBeforeWork(Cli.run("train", ethanol, "-n", "20", "--save-task", alias.toString(), "-o", model.toString()));
        assertEquals(List.of("alias.npz"), files(dir), "nothing was written");
    }

    /** The JSON log appended itself to whatever file it was given: the task, the model, or another name of the task. */
    @Test
    void theJsonLogMustNotBeAnotherFileOfTheCommand() throws IOException {
        Path task = Files.copy(fixtureTask, dir.resolve("task.npz"));
        Path model = Files.copy(TestData.fixture("ethanol-sym-m30", "model.npz"), dir.resolve("model.npz"));
        Path hardLink = Files.createLink(dir.resolve("same-task.npz"), task);
        byte[] taskBytes = Files.readAllBytes(task);
        byte[] modelBytes = Files.readAllBytes(model);
        String[][] cases = {{task.toString(), "TASK"}, {model.toString(), "-o"}, {hardLink.toString(), "TASK"}};
        for (String[] c : cases) {
            Cli.Result r = Cli.run("solve", task.toString(), "-o", model.toString(), "--log-json", c[0]);
            System.out.println("[refused] --log-json " + dir.relativize(Path.of(c[0])) + " -> " + r.err().strip());
            refusedBeforeWork(r);
            assertTrue(r.errorLine().contains("--log-json") && r.errorLine().contains(c[1]) && r.errorLine().contains("same file"),
                    r.errorLine());
        }
        assertArrayEquals(taskBytes, Files.readAllBytes(task), "the task is untouched");
        assertArrayEquals(modelBytes, Files.readAllBytes(model), "the old model is untouched");
        assertEquals(List.of("model.npz", "same-task.npz", "task.npz"), files(dir));
    }

    /** The log is appended to: a regular file, a new one, or a link's target, never a device (or a fifo, which blocks). */
    @Test
    void theJsonLogIsAppendedOnlyToARegularFile() throws IOException {
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull) && isOther(devNull)) {
            Cli.Result r = Cli.run("solve", fixtureTask.toString(), "-o", dir.resolve("never.npz").toString(), "--log-json", "/dev/null");
            refusedBeforeWork(r);
            assertTrue(r.errorLine().contains("--log-json /dev/null") && r.errorLine().contains("not a regular file"), r.errorLine());
            assertTrue(isOther(devNull), "/dev/null must stay a character device");
        }
        Path logs = Files.createDirectory(dir.resolve("logs"));
        Path link = Files.createSymbolicLink(dir.resolve("log.jsonl"), Path.of("logs/run.jsonl"));
        for (String model : new String[] {"a.npz", "b.npz"}) {
            Cli.Result r = Cli.run("solve", fixtureTask.toString(), "-q", "-o", dir.resolve(model).toString(), "--log-json", link.toString());
            assertEquals(0, r.exit(), r.err());
        }
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        List<String> lines = Files.readAllLines(logs.resolve("run.jsonl"));
        assertEquals(2, lines.stream().filter(l -> l.contains("\"event\":\"plan\"")).count(), "both runs appended: " + lines);
        assertEquals(List.of("a.npz", "b.npz", "log.jsonl", "logs"), files(dir));
    }

    /** It used to be opened first when the plan was logged, after the whole create step. */
    @Test
    void aJsonLogInAMissingFolderIsRefusedBeforeCreate() throws IOException {
        Path log = dir.resolve("missing/log.jsonl");
        Cli.Result r = Cli.run("train", ethanol, "-n", "20", "-o", dir.resolve("model.npz").toString(), "--log-json", log.toString());
        refusedBeforeWork(r);
        assertTrue(r.errorLine().contains("--log-json") && r.errorLine().contains("does not exist"), r.errorLine());
        assertEquals(List.of(), files(dir));
    }

    /**
     * kill -9 in the write window leaves the temporary file; the next write into the folder removes it, but not the
     * one of a process that still runs (here: this test's own JVM).
     */
    @Test
    void theNextWriteRemovesTheTempFileOfADeadProcessOnly() throws IOException {
        FileTime longAgo = FileTime.from(Instant.now().minusSeconds(3600));
        Path dead = Files.writeString(dir.resolve(".model.npz.gdml4j-" + Integer.MAX_VALUE + "-x.tmp"), "half a model"); // no such pid
        Path live = Files.writeString(dir.resolve(".model.npz.gdml4j-" + ProcessHandle.current().pid() + "-x.tmp"), "being written");
        Files.setLastModifiedTime(dead, longAgo);
        Files.setLastModifiedTime(live, longAgo);
        Cli.Result r = Cli.run("solve", fixtureTask.toString(), "-o", dir.resolve("model.npz").toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(Files.exists(dead), "the dead process's temporary file is removed");
        assertTrue(Files.exists(live), "a live process's temporary file stays");
        assertEquals(List.of(live.getFileName().toString(), "model.npz"), files(dir));
    }
}
