package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {
    @TempDir
    Path dir;

    @Test
    void loadsAFileAndAppliesOverrides() throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "broker.id=3\nlog.dirs=" + dir.resolve("logs") + "\nlog.segment.bytes=4096\n");
        BrokerConfig c = BrokerConfig.load(file, Map.of("log.segment.bytes", "8192"));
        assertThat(c.brokerId()).isEqualTo(3);
        assertThat(c.logManagerConfig().logDirs()).containsExactly(dir.resolve("logs"));
        assertThat(c.logManagerConfig().logDefaults().segmentBytes()).isEqualTo(8192);
    }

    @Test
    void brokenValuesNameTheKey() throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "broker.id=minus one\n");
        assertThatThrownBy(() -> BrokerConfig.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("broker.id");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("log.retention.bytes", "-5"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("log.retention.bytes");
        assertThatThrownBy(() -> new BrokerConfig(Map.of("replica.socket.timeout.ms", "100", "replica.fetch.wait.max.ms", "500")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("replica.socket.timeout.ms")
                .hasMessageContaining("replica.fetch.wait.max.ms");
    }

    @Test
    void missingFileIsAConfigError() {
        assertThatThrownBy(() -> BrokerConfig.load(dir.resolve("nope.properties"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope.properties");
    }

    @Test
    void commandLineParsing() {
        BrokerConfig c = Main.parse(new String[] {"--override", "broker.id=7", "--override", "log.dirs=" + dir});
        assertThat(c.brokerId()).isEqualTo(7);
        assertThatThrownBy(() -> Main.parse(new String[] {"--override"})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Main.parse(new String[] {"a.properties", "b.properties"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usage");
    }
}
