package io.weir.jms.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The JMS suite with queues on share groups against a real Apache Kafka 4.4 broker. */
class KafkaShareJmsIT extends ShareQueueSuite {

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
    DisposableBroker startDisposableBroker() throws Exception {
        KafkaPeer peer = KafkaPeer.start();
        return new DisposableBroker() {
            @Override
            public String bootstrapServers() {
                return peer.bootstrapServers();
            }

            @Override
            public void close() throws Exception {
                peer.close();
            }
        };
    }

    @Override
    String bootstrap() {
        return kafka.bootstrapServers();
    }
}
