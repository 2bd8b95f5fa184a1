package io.weir.bench.jms;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.bench.jms.JmsServer.Kind;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class JmsServerTest {

    /** The shipped configuration, from the bench module's directory (where the build runs its tests). */
    private static final Path SHIPPED = Path.of("..", "config", "server.properties");

    @Test
    void weirRunsTheShippedConfigurationWithOnlyPortAndDirectoriesChanged() throws IOException {
        Properties shipped = new Properties();
        try (Reader r = Files.newBufferedReader(SHIPPED, StandardCharsets.UTF_8)) {
            shipped.load(r);
        }
        Path data = Path.of("/tmp/run-1");

        Properties weir = JmsServer.weirProperties(SHIPPED, Kind.WEIR, "127.0.0.1:4711", data);
        Properties gc = JmsServer.weirProperties(SHIPPED, Kind.WEIR_GROUP_COMMIT, "127.0.0.1:4711", data);

        assertThat(weir.getProperty("listeners")).isEqualTo("PLAINTEXT://127.0.0.1:4711");
        assertThat(weir.getProperty("log.dirs")).isEqualTo(data.resolve("logs").toString());
        assertThat(weir.getProperty("zookeeper.embedded.data.dir")).isEqualTo(data.resolve("zk").toString());
        for (String key : shipped.stringPropertyNames()) {
            if (!JmsServer.weirOverrides(Kind.WEIR_GROUP_COMMIT, "x", data).containsKey(key)) {
                assertThat(weir.getProperty(key)).as(key).isEqualTo(shipped.getProperty(key));
                assertThat(gc.getProperty(key)).as(key).isEqualTo(shipped.getProperty(key));
            }
        }
        assertThat(weir.getProperty("group.initial.rebalance.delay.ms")).isEqualTo(shipped.getProperty("group.initial.rebalance.delay.ms"));
        assertThat(weir.getProperty("log.flush.group.commit.enable")).isEqualTo(shipped.getProperty("log.flush.group.commit.enable"));
        assertThat(gc.getProperty("log.flush.group.commit.enable")).isEqualTo("true");
        assertThat(weir.stringPropertyNames()).isEqualTo(gc.stringPropertyNames());
    }
}
