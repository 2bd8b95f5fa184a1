package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The JMS suite with queues on share groups against an embedded Weir broker. */
class WeirShareJmsIT extends ShareQueueSuite {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = shareCluster().build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /**
     * One broker with the Kafka peer's share settings: a short acquisition lock, so that a killed consumer's messages
     * return soon, and the same delivery limit.
     */
    private static EmbeddedWeirCluster.Builder shareCluster() {
        return EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("group.share.record.lock.duration.ms", Integer.toString(KafkaPeer.SHARE_LOCK_MS))
                .brokerProperty("group.share.delivery.count.limit", Integer.toString(KafkaPeer.SHARE_DELIVERY_LIMIT));
    }

    @Override
    DisposableBroker startDisposableBroker() {
        EmbeddedWeirCluster c = shareCluster().build().start();
        return new DisposableBroker() {
            @Override
            public String bootstrapServers() {
                return c.bootstrapServers();
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    /**
     * Weir's broker releases a closed share session's unacknowledged records uncounted (SharePartitionStateTest). Through
     * the provider a closed consumer's fetched, never-delivered message used to come back counted once more; since the
     * broker acquires for the provider's groups one batch per member at a time (weir.share.single.batch), no member
     * holds a batch its client fetched ahead and released, counted, as it closed: the likely cause (not proven), and
     * the exact counts are checked on Weir again.
     */
    @Override
    boolean assignsEveryPartition() {
        return true;
    }

    @Override
    boolean closedSessionReleasesUncounted() {
        return true;
    }

    /** Weir filters share fetches by the consumer's selector (the suite's selectors fit the broker's subset). */
    @Override
    boolean unselectedMessagesStayUncounted() {
        return true;
    }

    @Override
    String bootstrap() {
        return cluster.bootstrapServers();
    }

    /**
     * Weir gives a JMS queue's share group the queue's settings by default (ApiVersions lists the feature): once a
     * consumer's member learnt that, the factory's next consumers write no group configurations (a ZooKeeper write each
     * before the first fetch), and their queues still deliver the messages sent before them.
     */
    @org.junit.jupiter.api.Test
    void consumersWriteNoGroupConfigurationsOnceTheBrokerSaysItHasTheQueueDefaults(org.junit.jupiter.api.TestInfo info)
            throws Exception {
        io.weir.jms.WeirConnectionFactory f = factory();
        String first = name(info, "a");
        String second = name(info, "b");
        try (jakarta.jms.Connection c = f.createConnection()) {
            jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue(first)).send(s.createTextMessage("a"));
            s.createProducer(s.createQueue(second)).send(s.createTextMessage("b"));
            c.start();
            jakarta.jms.Message a = s.createConsumer(s.createQueue(first)).receive(WAIT);
            org.assertj.core.api.Assertions.assertThat(a).isNotNull();
        }
        try (jakarta.jms.Connection c = f.createConnection()) {
            jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            c.start();
            jakarta.jms.Message b = s.createConsumer(s.createQueue(second)).receive(WAIT);
            org.assertj.core.api.Assertions.assertThat(b).as("a message sent before the queue's first consumer").isNotNull();
            org.assertj.core.api.Assertions.assertThat(((jakarta.jms.TextMessage) b).getText()).isEqualTo("b");
        }
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", bootstrap()))) {
            org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.GROUP, "jms-queue." + second);
            var config = admin.describeConfigs(java.util.List.of(r)).all().get(30, java.util.concurrent.TimeUnit.SECONDS).get(r);
            org.assertj.core.api.Assertions.assertThat(config.get("share.auto.offset.reset").source())
                    .as("nothing written for the second queue's group")
                    .isEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            org.assertj.core.api.Assertions.assertThat(config.get("share.isolation.level").value()).isEqualTo("read_committed");
        }
    }
}
