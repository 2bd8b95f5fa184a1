package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.log.LogFileNames;
import io.weir.broker.log.TestRecords;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeirServerTest {
    @TempDir
    Path dir;

    @Test
    void startsStoresAndStopsCleanly() {
        BrokerConfig config = new BrokerConfig(Map.of("log.dirs", dir.toString()));
        try (WeirServer server = new WeirServer(config, new MockTime())) {
            server.startup();
            server.logManager().getOrCreateLog(new TopicPartition("t", 0)).appendAsLeader(TestRecords.batch("s", 2, 1), 0);
        }
        assertThat(dir.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE)).exists();
        try (WeirServer server = new WeirServer(config, new MockTime())) {
            server.startup();
            assertThat(server.logManager().getLog(new TopicPartition("t", 0)).orElseThrow().logEndOffset()).isEqualTo(2);
        }
    }
}
