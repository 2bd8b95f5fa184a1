package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Transacted sessions on the embedded Weir broker's transactions (the same suite as against Kafka 4.4). */
class WeirTransactionIT extends TransactionSuite {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        // the share-queue relay test kills its consumer up to eight times: every kill counts a delivery of what it held,
        // which must not reach the broker's limit (then the records would be archived, not relayed)
        cluster = EmbeddedWeirCluster.builder().brokers(1).brokerProperty("group.share.delivery.count.limit", "100").build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Override
    String bootstrap() {
        return cluster.bootstrapServers();
    }

    /**
     * The relay of {@link #consumeTransformProduceIsExactlyOnceAcrossClientKills} consuming A through its share group
     * (the provider's default queue mode): Weir takes the share acknowledgements inside the session's Kafka transaction
     * (SessionTransactionEngine), so the queue's messages and the relayed copies commit together, exactly-once.
     */
    @org.junit.jupiter.api.Test
    void aShareQueueRelayIsExactlyOnceAcrossClientKills(org.junit.jupiter.api.TestInfo info) throws Exception {
        relayExactlyOnceAcrossClientKills(info, io.weir.jms.QueueMode.SHARE);
    }

    /** The takeover test on a share-mode connection, whose sessions speak their transactions themselves. */
    @org.junit.jupiter.api.Test
    void aShareModeSessionWhoseTransactionalIdIsTakenOverIsFenced(org.junit.jupiter.api.TestInfo info) throws Exception {
        io.weir.jms.WeirConnectionFactory f = factory();
        f.setQueueMode(io.weir.jms.QueueMode.SHARE);
        takenOverSessionIsFenced(info, f);
    }

    /**
     * Share mode: a rolled-back transaction's messages come back (delivery counted), its sends never arrive, and the
     * next commit consumes them with its own sends, which arrive once.
     */
    @org.junit.jupiter.api.Test
    void aShareModeRollbackRedeliversAndTheNextCommitConsumes(org.junit.jupiter.api.TestInfo info) throws Exception {
        String in = name(info, "in");
        String out = name(info, "out");
        io.weir.jms.WeirConnectionFactory f = factory();
        f.setQueueMode(io.weir.jms.QueueMode.SHARE);
        try (jakarta.jms.Connection c = f.createConnection()) {
            jakarta.jms.Session seed = c.createSession(jakarta.jms.Session.SESSION_TRANSACTED);
            seed.createProducer(seed.createQueue(in)).send(seed.createTextMessage("input"));
            seed.commit();
            jakarta.jms.Session tx = c.createSession(jakarta.jms.Session.SESSION_TRANSACTED);
            jakarta.jms.MessageConsumer consumer = tx.createConsumer(tx.createQueue(in));
            jakarta.jms.MessageProducer producer = tx.createProducer(tx.createQueue(out));
            c.start();
            jakarta.jms.Message first = consumer.receive(WAIT);
            org.assertj.core.api.Assertions.assertThat(first).isNotNull();
            producer.send(tx.createTextMessage("rolled back"));
            tx.rollback();
            jakarta.jms.Message again = consumer.receive(WAIT);
            org.assertj.core.api.Assertions.assertThat(again).as("redelivered after the rollback").isNotNull();
            org.assertj.core.api.Assertions.assertThat(again.getJMSRedelivered()).isTrue();
            producer.send(tx.createTextMessage("committed"));
            tx.commit();
            org.assertj.core.api.Assertions.assertThat(consumer.receive(500)).as("consumed by the commit").isNull();
        }
        org.assertj.core.api.Assertions.assertThat(readRaw(out, "read_committed")).hasSize(1);
        try (jakarta.jms.Connection c = f.createConnection()) {
            jakarta.jms.Session s = c.createSession(jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.MessageConsumer again = s.createConsumer(s.createQueue(in));
            c.start();
            org.assertj.core.api.Assertions.assertThat(again.receive(1000)).as("the input, consumed by the commit").isNull();
        }
    }
}
