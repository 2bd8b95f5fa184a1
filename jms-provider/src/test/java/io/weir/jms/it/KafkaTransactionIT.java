package io.weir.jms.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Transacted sessions on a real Apache Kafka 4.4 broker's transactions. */
class KafkaTransactionIT extends TransactionSuite {

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
