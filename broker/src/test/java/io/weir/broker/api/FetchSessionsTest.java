package io.weir.broker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** The session decisions of {@link FetchSessions}: which partitions each request reads and which it answers. */
class FetchSessionsTest {
    private static final short V12 = 12;
    private static final short V13 = 13;
    private final MockTime time = new MockTime();
    private final FetchSessions sessions = new FetchSessions(new FetchSessionCache(10, 1_000, time, counter()));

    private static java.util.function.IntSupplier counter() {
        int[] n = {100};
        return () -> ++n[0];
    }

    private static FetchTopic topic(String name, int... partitions) {
        FetchTopic t = new FetchTopic().setTopic(name);
        for (int p : partitions) {
            t.partitions().add(new FetchPartition().setPartition(p).setFetchOffset(0).setPartitionMaxBytes(1024));
        }
        return t;
    }

    private static FetchRequestData request(int sessionId, int epoch, FetchTopic... topics) {
        return new FetchRequestData().setSessionId(sessionId).setSessionEpoch(epoch).setTopics(new ArrayList<>(List.of(topics)));
    }

    /** What the log answers for each item: high watermark {@code hw}, records when {@code withData}. */
    private static List<PartitionData> answers(FetchContext ctx, long hw, boolean withData) {
        List<PartitionData> out = new ArrayList<>();
        for (FetchContext.Item item : ctx.items()) {
            out.add(answer(item.partition().partition(), hw, withData));
        }
        return out;
    }

    private static PartitionData answer(int partition, long hw, boolean withData) {
        PartitionData d = new PartitionData().setPartitionIndex(partition).setHighWatermark(hw).setLastStableOffset(hw)
                .setLogStartOffset(0).setRecords(MemoryRecords.EMPTY);
        if (withData) {
            d.setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes())));
        }
        return d;
    }

    private static List<String> answered(FetchResponseData data) {
        List<String> out = new ArrayList<>();
        data.responses().forEach(t -> t.partitions().forEach(p -> out.add(
                (t.topic().isEmpty() ? t.topicId().toString() : t.topic()) + "-" + p.partitionIndex())));
        return out;
    }

    private static List<String> read(FetchContext ctx) {
        return ctx.items().stream().map(i -> i.topic() + "-" + i.partition().partition()).toList();
    }

    private int openSession(FetchTopic... topics) {
        FetchContext full = sessions.newContext(request(0, 0, topics), V12, false);
        assertThat(full).isInstanceOf(FetchContext.Full.class);
        FetchResponseData r = full.respond(answers(full, 10, false), false);
        assertThat(r.sessionId()).isPositive();
        return r.sessionId();
    }

    @Test
    void sessionlessFetchesStayWithoutSession() {
        FetchContext ctx = sessions.newContext(request(0, -1, topic("a", 0, 1)), V12, false);
        assertThat(ctx).isInstanceOf(FetchContext.Sessionless.class);
        FetchResponseData r = ctx.respond(answers(ctx, 5, false), false);
        assertThat(r.sessionId()).isZero();
        assertThat(answered(r)).containsExactly("a-0", "a-1");
        assertThat(sessions.cache().sessionCount()).isZero();
        FetchContext old = sessions.newContext(request(0, 0, topic("a", 0)), (short) 6, false);
        assertThat(old).as("no sessions before Fetch v7").isInstanceOf(FetchContext.Sessionless.class);
    }

    @Test
    void aFullFetchOpensASessionAndIsAnsweredWhole() {
        FetchContext full = sessions.newContext(request(0, 0, topic("a", 0, 1), topic("b", 0)), V12, false);
        FetchResponseData r = full.respond(answers(full, 10, false), false);
        assertThat(r.sessionId()).isEqualTo(101);
        assertThat(answered(r)).containsExactly("a-0", "a-1", "b-0");
        assertThat(r.errorCode()).isZero();
        assertThat(sessions.cache().sessionCount()).isEqualTo(1);
        assertThat(sessions.cache().partitionsCached()).isEqualTo(3);
    }

    @Test
    void incrementalFetchesReadTheWholeSessionAndAnswerOnlyChanges() {
        int id = openSession(topic("a", 0, 1), topic("b", 0));
        FetchContext inc = sessions.newContext(request(id, 1), V12, false);
        assertThat(inc).isInstanceOf(FetchContext.Incremental.class);
        assertThat(read(inc)).containsExactly("a-0", "a-1", "b-0");
        FetchResponseData nothing = inc.respond(answers(inc, 10, false), false);
        assertThat(nothing.sessionId()).isEqualTo(id);
        assertThat(answered(nothing)).as("no data, same offsets: nothing to say").isEmpty();

        FetchContext second = sessions.newContext(request(id, 2), V12, false);
        List<PartitionData> read = answers(second, 10, false);
        read.set(1, answer(1, 10, true)); // a-1 has records
        read.set(2, answer(0, 11, false)); // b-0's high watermark moved
        FetchResponseData r = second.respond(read, false);
        assertThat(answered(r)).containsExactly("a-1", "b-0");

        FetchContext third = sessions.newContext(request(id, 3), V12, false);
        assertThat(read(third)).as("a partition that returned records moves to the end").containsExactly("a-0", "b-0", "a-1");
        List<PartitionData> failed = answers(third, 10, false);
        failed.get(0).setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setHighWatermark(-1);
        failed.set(1, answer(0, 11, false)); // b-0 unchanged since the last answer
        assertThat(answered(third.respond(failed, false))).containsExactly("a-0");
        FetchContext fourth = sessions.newContext(request(id, 4), V12, false);
        List<PartitionData> recovered = answers(fourth, 10, false);
        recovered.set(1, answer(0, 11, false));
        assertThat(answered(fourth.respond(recovered, false)))
                .as("a partition whose error is gone is answered again").containsExactly("a-0");
        assertThat(sessions.cache().incrementalFetches()).isEqualTo(4);
    }

    @Test
    void incrementalRequestsAddUpdateAndForgetPartitions() {
        int id = openSession(topic("a", 0, 1));
        FetchTopic update = topic("a", 1);
        update.partitions().get(0).setFetchOffset(42);
        FetchRequestData req = request(id, 1, update, topic("c", 3));
        req.forgottenTopicsData().add(new ForgottenTopic().setTopic("a").setPartitions(List.of(0)));
        FetchContext inc = sessions.newContext(req, V12, false);
        assertThat(read(inc)).containsExactly("a-1", "c-3");
        assertThat(inc.items().get(0).partition().fetchOffset()).isEqualTo(42);
        FetchResponseData r = inc.respond(answers(inc, 10, false), false);
        assertThat(answered(r)).as("the new partition is answered, the updated one has nothing new").containsExactly("c-3");
        assertThat(sessions.cache().partitionsCached()).isEqualTo(2);

        FetchRequestData forgetAll = request(id, 2);
        forgetAll.forgottenTopicsData().add(new ForgottenTopic().setTopic("a").setPartitions(List.of(1)));
        forgetAll.forgottenTopicsData().add(new ForgottenTopic().setTopic("c").setPartitions(List.of(3)));
        FetchContext empty = sessions.newContext(forgetAll, V12, false);
        assertThat(empty).isInstanceOf(FetchContext.Sessionless.class);
        assertThat(empty.respond(List.of(), false).sessionId()).as("an empty session is closed").isZero();
        assertThat(sessions.cache().get(id)).isNull();
    }

    @Test
    void wrongEpochsAndUnknownSessionsAreRefused() {
        int id = openSession(topic("a", 0));
        assertError(sessions.newContext(request(id, 2), V12, false), Errors.INVALID_FETCH_SESSION_EPOCH);
        assertError(sessions.newContext(request(id, -5), V12, false), Errors.INVALID_FETCH_SESSION_EPOCH);
        assertError(sessions.newContext(request(id + 1000, 1), V12, false), Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertError(sessions.newContext(request(0, 1), V12, false), Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertError(sessions.newContext(request(id, 1), V13, false), Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        FetchContext ok = sessions.newContext(request(id, 1), V12, false);
        assertThat(ok).as("refused requests do not move the epoch").isInstanceOf(FetchContext.Incremental.class);
        ok.respond(answers(ok, 10, false), false);
        assertError(sessions.newContext(request(id, 1), V12, false), Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(sessions.newContext(request(id, 2), V12, false)).isInstanceOf(FetchContext.Incremental.class);
    }

    private static void assertError(FetchContext ctx, Errors error) {
        assertThat(ctx.items()).isEmpty();
        FetchResponseData r = ctx.respond(List.of(), false);
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(error);
        assertThat(r.sessionId()).isZero();
        assertThat(r.responses()).isEmpty();
    }

    @Test
    void epochMinusOneClosesTheSessionAndEpochZeroReplacesIt() {
        int id = openSession(topic("a", 0));
        FetchContext close = sessions.newContext(request(id, -1, topic("a", 0)), V12, false);
        assertThat(close).isInstanceOf(FetchContext.Sessionless.class);
        assertThat(close.respond(answers(close, 1, false), false).sessionId()).isZero();
        assertThat(sessions.cache().get(id)).isNull();
        assertError(sessions.newContext(request(id, 1), V12, false), Errors.FETCH_SESSION_ID_NOT_FOUND);

        int second = openSession(topic("a", 0));
        FetchContext restart = sessions.newContext(request(second, 0, topic("b", 0)), V12, false);
        int third = restart.respond(answers(restart, 1, false), false).sessionId();
        assertThat(sessions.cache().get(second)).as("a full fetch naming a session closes it").isNull();
        assertThat(third).isNotEqualTo(second).isPositive();
        assertThat(sessions.cache().sessionCount()).isEqualTo(1);
    }

    @Test
    void topicIdSessionsKeyPartitionsById() {
        Uuid a = Uuid.randomUuid();
        Uuid b = Uuid.randomUuid();
        FetchTopic ta = new FetchTopic().setTopicId(a).setPartitions(new ArrayList<>(List.of(
                new FetchPartition().setPartition(0).setPartitionMaxBytes(100))));
        FetchContext full = sessions.newContext(request(0, 0, ta), V13, false);
        int id = full.respond(answers(full, 3, false), true).sessionId();
        FetchTopic tb = new FetchTopic().setTopicId(b).setPartitions(new ArrayList<>(List.of(
                new FetchPartition().setPartition(2).setPartitionMaxBytes(100))));
        FetchRequestData req = request(id, 1, tb);
        req.forgottenTopicsData().add(new ForgottenTopic().setTopicId(a).setPartitions(List.of(0)));
        FetchContext inc = sessions.newContext(req, V13, false);
        assertThat(inc.items()).extracting(FetchContext.Item::topicId).containsExactly(b);
        FetchResponseData r = inc.respond(answers(inc, 3, false), true);
        assertThat(r.responses()).singleElement().satisfies(t -> {
            assertThat(t.topicId()).isEqualTo(b);
            assertThat(t.topic()).isEmpty();
        });
        assertError(sessions.newContext(request(id, 2), V12, false), Errors.FETCH_SESSION_TOPIC_ID_ERROR);
    }

    @Test
    void followersGetPrivilegedSessionsAndTheirEpochsAreKept() {
        FetchTopic t = topic("a", 0);
        t.partitions().get(0).setLastFetchedEpoch(4).setCurrentLeaderEpoch(5).setLogStartOffset(7);
        FetchContext full = sessions.newContext(request(0, 0, t), V12, true);
        int id = full.respond(answers(full, 3, false), false).sessionId();
        assertThat(sessions.cache().get(id).privileged).isTrue();
        FetchContext inc = sessions.newContext(request(id, 1), V12, true);
        FetchPartition p = inc.items().get(0).partition();
        assertThat(p.lastFetchedEpoch()).isEqualTo(4);
        assertThat(p.currentLeaderEpoch()).isEqualTo(5);
        assertThat(p.logStartOffset()).isEqualTo(7);
        List<PartitionData> diverging = answers(inc, 3, false);
        diverging.get(0).divergingEpoch().setEpoch(3).setEndOffset(2);
        assertThat(answered(inc.respond(diverging, false))).as("a diverging epoch is always answered").containsExactly("a-0");
    }

    @Test
    void settingsAreReadWithKafkasNamesAndChecked() {
        FetchSessions configured = FetchSessions.fromProperties(Map.of(FetchSessions.CACHE_SLOTS, "0"), time);
        FetchContext full = configured.newContext(request(0, 0, topic("a", 0)), V12, false);
        assertThat(full.respond(answers(full, 1, false), false).sessionId()).as("no slots: no session").isZero();
        assertThatThrownBy(() -> FetchSessions.fromProperties(Map.of(FetchSessions.EVICTION_MS, "soon"), time))
                .isInstanceOf(ConfigException.class).hasMessageContaining(FetchSessions.EVICTION_MS);
        assertThatThrownBy(() -> FetchSessions.fromProperties(Map.of(FetchSessions.CACHE_SLOTS, "-1"), time))
                .isInstanceOf(ConfigException.class);
    }
}
