package io.weir.broker.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka's own code, for tests that check Weir against software nobody here wrote: the broker
 * (kafka_2.13) and the command-line tools (kafka-tools), resolved once by {@code bench/kafka-peer/pom.xml}
 * and always run in their own JVM, so Kafka's server jars never mix with Weir's classpath. The
 * repository root comes from the {@code weir.root} system property (set by Failsafe).
 */
public final class KafkaDistribution {
    private KafkaDistribution() {
    }

    /** What a tool printed and how it exited. */
    public record Run(int exitCode, String output) {
    }

    /** The runtime classpath of the Kafka distribution, resolved (again, if its pom changed) with Maven. */
    public static synchronized String classpath() throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("weir.root", "..")).toAbsolutePath().normalize();
        Path pom = root.resolve("bench/kafka-peer/pom.xml");
        Path file = root.resolve("bench/kafka-peer/target/kafka-peer.classpath");
        if (!Files.exists(file) || Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(pom)) < 0) {
            List<String> cmd = List.of("mvn", "-B", "-q", "-f", pom.toString(), "package");
            Process mvn = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!mvn.waitFor(600, TimeUnit.SECONDS) || mvn.exitValue() != 0 || !Files.exists(file)) {
                mvn.destroyForcibly();
                throw new IOException("Could not resolve the Kafka classpath with: " + String.join(" ", cmd));
            }
        }
        return Files.readString(file).trim();
    }

    /** The java launcher of the running JVM. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Runs one of Kafka's command-line tools (e.g. {@code org.apache.kafka.tools.TopicCommand}) in its
     * own JVM and waits for it, at most {@code timeout}.
     */
    public static Run runTool(Duration timeout, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kafka-tool", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(mainClass + " did not finish within " + timeout + ":\n" + Files.readString(out));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
