package io.weir.jms.it;

import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import io.weir.jms.client.ReaderEngine;
import io.weir.jms.client.ShareQueueReader;
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
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
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

    /**
     * A queue's share group gets {@code share.auto.offset.reset=earliest} from the consumer (Apache Kafka starts a share
     * group at the log end), and a share partition's start is fixed by its first fetch: a member must not fetch before
     * the brokers confirmed that setting, however long they take (the member used to fetch anyway after 5 s, and the
     * messages sent before the consumer were never delivered). Here the confirmation comes 12 s after the member joins;
     * on a Weir broker the member learns at its join that queue groups have that setting by default and does not wait.
     */
    @Test
    void aMemberWhoseGroupSettingsAreConfirmedLateStillReadsTheQueueFromItsStart(TestInfo info) throws Exception {
        String queue = queueName(info);
        String group = "jms-queue." + queue;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap(),
                     "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            admin.createTopics(List.of(new NewTopic(queue, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(queue, ("m" + i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            Thread confirmer = new Thread(() -> {
                try {
                    // 12 s after the member is listed (a new group's coordinator may take a while to come up): past the
                    // 5 s a member waits for its assignment plus the 5 s it used to wait for the settings
                    long until = System.currentTimeMillis() + 60_000;
                    while (!hasMembers(admin, group) && System.currentTimeMillis() < until) {
                        Thread.sleep(100); // ends on the interrupt below
                    }
                    Thread.sleep(12_000);
                    ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
                    admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                            new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                            .all().get(30, TimeUnit.SECONDS);
                    confirmed.complete(null);
                } catch (Exception e) {
                    confirmed.completeExceptionally(e);
                }
            });
            Properties base = new Properties();
            base.put("bootstrap.servers", bootstrap());
            ShareQueueReader reader = new ShareQueueReader(new ShareQueueReader.Settings("late-settings", base, queue, group, 10),
                    System::currentTimeMillis, () -> { }, (r, count) -> { throw new IllegalStateException("no dead letters here"); },
                    (g, clientId) -> null, null);
            reader.fetchAfter(confirmed);
            confirmer.start();
            List<String> got = new ArrayList<>();
            Boolean confirmedAtFirstRecord = null;
            try {
                reader.start(30_000);
                long deadline = System.currentTimeMillis() + 60_000;
                while (got.size() < 3 && System.currentTimeMillis() < deadline) {
                    ConsumerRecord<byte[], byte[]> r = reader.take(500, x -> ReaderEngine.Choice.TAKE);
                    if (r != null) {
                        if (confirmedAtFirstRecord == null) {
                            confirmedAtFirstRecord = confirmed.isDone();
                        }
                        got.add(new String(r.value(), StandardCharsets.UTF_8));
                        reader.consumed(r);
                    }
                }
                await(reader.commit(true));
            } finally {
                reader.close();
                confirmer.interrupt(); // done early on a Weir broker, whose member never waited for it
                confirmer.join(60_000);
            }
            assertThat(got).containsExactly("m0", "m1", "m2");
            if (!appliesQueueDefaults()) {
                assertThat(confirmedAtFirstRecord).as("the member fetched only once the settings were confirmed").isTrue();
            }
        }
    }

    /** Whether the broker gives queue share groups their settings by default (Weir), so that members need not wait. */
    boolean appliesQueueDefaults() {
        return false;
    }

    /** Whether the share group lists a member (false while the group is unknown: Apache Kafka answers GROUP_ID_NOT_FOUND). */
    private static boolean hasMembers(Admin admin, String group) {
        try {
            return !admin.describeShareGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS)
                    .members().isEmpty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void await(CompletableFuture<Void> f) throws Exception {
        f.get(30, TimeUnit.SECONDS);
    }

    static void lock(Admin admin, String queue, int lockMs) throws Exception {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "jms-queue." + queue);
        admin.incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(
                new ConfigEntry("share.record.lock.duration.ms", Integer.toString(lockMs)), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
    }
}
