package io.weir.jms.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link ShareMemberWireSuite} against a real Apache Kafka 4.4 broker. */
class KafkaShareMemberIT extends ShareMemberWireSuite {

    private static KafkaPeer kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaPeer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Override
    String bootstrap() {
        return kafka.bootstrapServers();
    }
}
