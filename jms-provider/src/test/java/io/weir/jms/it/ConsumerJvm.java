package io.weir.jms.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A consumer JVM ({@link QueueCrashConsumer}) and the files its standard output (the report) and error go to.
 *
 * @param process the child JVM
 * @param report  its standard output: {@code READY}, {@code GOT n}, {@code ACKING ...}, {@code ACKED ...} lines
 * @param errors  its standard error
 */
record ConsumerJvm(Process process, Path report, Path errors) {

    /** Starts {@link QueueCrashConsumer} with {@code args} (see there) in a JVM of this test's class path. */
    static ConsumerJvm start(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path report = Files.createTempFile("share-consumer", ".out");
        Path errors = Files.createTempFile("share-consumer", ".err");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                QueueCrashConsumer.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(errors.toFile()).redirectOutput(report.toFile()).start();
        return new ConsumerJvm(p, report, errors);
    }

    /** Waits until every one of {@code children} has said READY; fails when one exits first or takes too long. */
    static void awaitReady(List<ConsumerJvm> children) throws Exception {
        // a child waits up to ChildJvm.CONNECT_TIMEOUT_MS for the brokers, after its JVM started
        long bound = 2 * ChildJvm.CONNECT_TIMEOUT_MS;
        long deadline = System.currentTimeMillis() + bound;
        for (ConsumerJvm c : children) {
            while (!c.lines().contains("READY")) {
                if (!c.process().isAlive()) {
                    throw new AssertionError("A consumer JVM exited before it was ready:\n" + c.errorOutput());
                }
                assertThat(System.currentTimeMillis()).as("consumer JVM ready within %d ms", bound).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    String errorOutput() throws Exception {
        return Files.exists(errors) ? Files.readString(errors) : "";
    }

    /** The complete lines reported so far. */
    List<String> lines() throws Exception {
        String written = Files.readString(report);
        List<String> lines = new ArrayList<>(List.of(written.split("\n")));
        if (!written.endsWith("\n") && !lines.isEmpty()) {
            lines.remove(lines.size() - 1); // a line still being written
        }
        return lines;
    }

    /** The message numbers whose {@code acknowledge()} returned, in order, each as often as it was reported. */
    List<Integer> acknowledged() throws Exception {
        List<Integer> acked = new ArrayList<>();
        for (String line : lines()) {
            if (line.startsWith("ACKED ")) {
                for (String n : line.substring(6).trim().split(" ")) {
                    acked.add(Integer.parseInt(n));
                }
            }
        }
        return acked;
    }

    /** Kills the JVM (SIGKILL) and deletes its files. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        Files.deleteIfExists(report);
        Files.deleteIfExists(errors);
    }
}
