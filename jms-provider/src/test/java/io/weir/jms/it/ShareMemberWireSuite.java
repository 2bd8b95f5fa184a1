package io.weir.jms.it;

import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the provider's share-group member ({@code client.ShareGroupMember}) reads off the wire, against a broker: records
 * of compressed batches, and a queue written by transactions, some aborted, whose markers (and, where the broker hands
 * them out, aborted records) sit inside the acquired ranges as offsets no record carries. Those must be acknowledged as
 * GAP, or the share-partition's start offset stays behind them until their locks expire, again and again up to the
 * delivery limit.
 */
abstract class ShareMemberWireSuite {

    /** The queue's acquisition lock here: longer than any wait below, so that no lock expiry can move the start offset. */
    static final int LONG_LOCK_MS = 50_000;

    abstract String bootstrap();

    WeirConnectionFactory factory() {
        WeirConnectionFactory f = new WeirConnectionFactory(bootstrap());
        f.setQueueMode(QueueMode.SHARE);
        f.setKafkaProperty("compression.type", "lz4");
        return f;
    }

    static String queueName(TestInfo info) {
        return "wire-" + info.getTestMethod().orElseThrow().getName().substring(0, 12) + "-" + System.nanoTime() % 100_000;
    }

    @Test
    void compressedTransactionsSomeAbortedAreReadCommittedAndTheirMarkersAcknowledgedAsGaps(TestInfo info) throws Exception {
        String queue = queueName(info);
        WeirConnectionFactory f = factory();
        List<String> expected = new ArrayList<>();
        try (Connection consuming = f.createConnection(); Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            Session cs = consuming.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = cs.createQueue(queue);
            MessageConsumer consumer = cs.createConsumer(q); // creates the queue and its share group
            lock(admin, queue, LONG_LOCK_MS);
            try (Connection producing = f.createConnection()) {
                Session ps = producing.createSession(Session.SESSION_TRANSACTED);
                MessageProducer p = ps.createProducer(q);
                for (int t = 0; t < 7; t++) {
                    for (int i = 0; i < 3; i++) {
                        p.send(ps.createTextMessage("t" + t + "-" + i + "-" + "x".repeat(200)));
                    }
                    if (t % 2 == 0) {
                        ps.commit();
                        for (int i = 0; i < 3; i++) {
                            expected.add("t" + t + "-" + i);
                        }
                    } else {
                        ps.rollback();
                    }
                }
            }
            consuming.start();
            List<String> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (got.size() < expected.size() && System.currentTimeMillis() < deadline) {
                Message m = consumer.receive(1_000);
                if (m != null) {
                    String text = ((TextMessage) m).getText();
                    got.add(text.substring(0, text.lastIndexOf('-')));
                }
            }
            assertThat(got).containsExactlyElementsOf(expected);
            TopicPartition tp = new TopicPartition(queue, 0);
            long logEnd = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
            // the committed records, a marker per transaction, and what the aborted ones had sent before their abort
            assertThat(logEnd).as("log end").isGreaterThanOrEqualTo(expected.size() + 3L);
            String group = "jms-queue." + queue;
            // one more message, acknowledged after the rest: Apache Kafka 4.4 was seen to report the start offset of the
            // state written before an acknowledgement's own (listShareGroupOffsets lagging one acknowledgement behind)
            try (Connection producing = f.createConnection()) {
                Session ps = producing.createSession(false, Session.AUTO_ACKNOWLEDGE);
                ps.createProducer(q).send(ps.createTextMessage("tail"));
            }
            assertThat(((TextMessage) consumer.receive(30_000)).getText()).isEqualTo("tail");
            // the consumer keeps fetching (and so sending what it owes); nothing else is delivered; the start offset
            // passes every marker although no lock expires meanwhile
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(consumer.receive(200)).isNull();
                var offsets = admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                        .partitionsToOffsetInfo(group).get(30, TimeUnit.SECONDS);
                assertThat(offsets.get(tp)).isNotNull();
                assertThat(offsets.get(tp).startOffset()).isGreaterThanOrEqualTo(logEnd);
            });
        }
    }

    static void lock(Admin admin, String queue, int lockMs) throws Exception {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "jms-queue." + queue);
        admin.incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(
                new ConfigEntry("share.record.lock.duration.ms", Integer.toString(lockMs)), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
    }
}
