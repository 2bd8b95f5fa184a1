package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LogConfigTest {

    @Test
    void defaultsAreKafkas() {
        LogConfig c = LogConfig.defaults();
        assertThat(c.segmentBytes()).isEqualTo(1 << 30);
        assertThat(c.segmentMs()).isEqualTo(7L * 24 * 3600 * 1000);
        assertThat(c.retentionMs()).isEqualTo(7L * 24 * 3600 * 1000);
        assertThat(c.retentionBytes()).isEqualTo(-1);
        assertThat(c.indexIntervalBytes()).isEqualTo(4096);
        assertThat(c.flushIntervalMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(c.groupCommit()).isFalse();
    }

    @Test
    void retentionPrecedenceIsMsThenMinutesThenHours() {
        assertThat(LogConfig.fromBrokerProperties(Map.of("log.retention.hours", "1")).retentionMs()).isEqualTo(3_600_000);
        assertThat(LogConfig.fromBrokerProperties(Map.of("log.retention.hours", "1", "log.retention.minutes", "2"))
                .retentionMs()).isEqualTo(120_000);
        assertThat(LogConfig.fromBrokerProperties(Map.of("log.retention.minutes", "2", "log.retention.ms", "5"))
                .retentionMs()).isEqualTo(5);
        assertThat(LogConfig.fromBrokerProperties(Map.of("log.retention.hours", "-1")).retentionMs()).isEqualTo(-1);
        assertThat(LogConfig.fromBrokerProperties(Map.of("log.roll.hours", "2")).segmentMs()).isEqualTo(7_200_000);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> LogConfig.fromBrokerProperties(Map.of("log.segment.bytes", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.segment.bytes");
        assertThatThrownBy(() -> LogConfig.fromBrokerProperties(Map.of("log.segment.bytes", "10")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.segment.bytes");
        assertThatThrownBy(() -> LogConfig.fromBrokerProperties(Map.of("log.retention.ms", "-7")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.retention.ms");
        assertThatThrownBy(() -> LogConfig.fromBrokerProperties(Map.of("log.message.timestamp.type", "Whenever")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.message.timestamp.type");
    }

    @Test
    void topicOverridesUseTopicNames() {
        LogConfig c = LogConfig.defaults().withTopicOverrides(Map.of("retention.ms", "1000", "segment.bytes", "4096",
                "message.timestamp.type", "LogAppendTime", "unrelated", "x"));
        assertThat(c.retentionMs()).isEqualTo(1000);
        assertThat(c.segmentBytes()).isEqualTo(4096);
        assertThat(c.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThatThrownBy(() -> LogConfig.defaults().withTopicOverrides(Map.of("segment.bytes", "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.bytes");
    }

    @Test
    void managerConfigParsesDirectories() {
        LogManagerConfig c = LogManagerConfig.fromProperties(Map.of("log.dirs", "/tmp/a, /tmp/b"));
        assertThat(c.logDirs()).containsExactly(Path.of("/tmp/a"), Path.of("/tmp/b"));
        assertThat(LogManagerConfig.fromProperties(Map.of("log.dir", "/tmp/c")).logDirs()).containsExactly(Path.of("/tmp/c"));
        assertThatThrownBy(() -> LogManagerConfig.fromProperties(Map.of("log.dirs", "/tmp/a,/tmp/a")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.dirs");
        assertThatThrownBy(() -> LogManagerConfig.fromProperties(Map.of("num.recovery.threads.per.data.dir", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("num.recovery.threads.per.data.dir");
    }
}
