package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** kcat (librdkafka, a client nobody here wrote) produces, consumes and lists metadata. Skipped when kcat is absent. */
class KcatIT {
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/kcat")) || Files.isExecutable(Path.of("/usr/local/bin/kcat"));
        Assumptions.assumeTrue(present, "kcat is not installed (apt-get install kcat); skipping the kcat compatibility test");
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("kcat", "-b", cluster.bootstrapServers()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kcat did not finish: " + out);
        }
        assertThat(p.exitValue()).as("kcat %s exited with output:\n%s", String.join(" ", args), out).isZero();
        return out;
    }

    @Test
    void produceConsumeAndMetadata() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            lines.append("key").append(i).append(":message ").append(i).append('\n');
        }
        run(lines.toString(), "-P", "-t", "kcat-topic", "-K:", "-z", "gzip");
        run("plain\n", "-P", "-t", "kcat-topic", "-p", "0", "-X", "acks=all");
        String consumed = run(null, "-C", "-t", "kcat-topic", "-o", "beginning", "-e", "-q", "-f", "%k=%s@%o\\n");
        assertThat(consumed.lines().toList()).hasSize(51).contains("key0=message 0@0", "key49=message 49@49", "=plain@50");
        String metadata = run(null, "-L", "-t", "kcat-topic");
        assertThat(metadata).contains("topic \"kcat-topic\" with 1 partitions").contains("leader 0");
    }
}
