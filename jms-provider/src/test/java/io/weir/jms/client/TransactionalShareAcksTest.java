package io.weir.jms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

class TransactionalShareAcksTest {
    private static final Uuid TOPIC = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid OTHER = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");

    @Test
    void theRequestCarriesTheAcceptsAndTheTransactionTagOnTheWire() {
        var txn = new TransactionalShareAcks.Transaction("orders-0", 4242, (short) 3);
        Map<TopicIdPartition, List<TransactionalShareAcks.Range>> accepted = new LinkedHashMap<>();
        accepted.put(new TopicIdPartition(TOPIC, 0, null), List.of(new TransactionalShareAcks.Range(0, 2),
                new TransactionalShareAcks.Range(5, 5)));
        accepted.put(new TopicIdPartition(TOPIC, 1, null), List.of(new TransactionalShareAcks.Range(7, 9)));
        accepted.put(new TopicIdPartition(OTHER, 0, null), List.of(new TransactionalShareAcks.Range(1, 1)));
        ShareAcknowledgeRequestData built = TransactionalShareAcks.request("queue-q", "member-1", 4, accepted, txn);
        for (short version = ApiKeys.SHARE_ACKNOWLEDGE.oldestVersion(); version <= ApiKeys.SHARE_ACKNOWLEDGE.latestVersion(true); version++) {
            ByteBuffer wire = MessageUtil.toByteBufferAccessor(built, version).buffer();
            ShareAcknowledgeRequestData read = new ShareAcknowledgeRequestData(new org.apache.kafka.common.protocol.ByteBufferAccessor(wire),
                    version);
            assertThat(read.groupId()).isEqualTo("queue-q");
            assertThat(read.memberId()).isEqualTo("member-1");
            assertThat(read.shareSessionEpoch()).isEqualTo(4);
            assertThat(read.topics()).hasSize(2);
            var p0 = read.topics().find(TOPIC).partitions().stream().filter(p -> p.partitionIndex() == 0).findFirst().orElseThrow();
            assertThat(p0.acknowledgementBatches()).extracting(b -> b.firstOffset() + ".." + b.lastOffset() + ":" + b.acknowledgeTypes())
                    .containsExactly("0..2:[1]", "5..5:[1]");
            assertThat(read.unknownTaggedFields()).hasSize(1);
            RawTaggedField tag = read.unknownTaggedFields().get(0);
            assertThat(tag.tag()).isEqualTo(10_000);
            ByteBuffer b = ByteBuffer.wrap(tag.data());
            assertThat(b.getShort()).as("version").isZero();
            byte[] id = new byte[b.getShort()];
            b.get(id);
            assertThat(new String(id, StandardCharsets.UTF_8)).isEqualTo("orders-0");
            assertThat(b.getLong()).isEqualTo(4242);
            assertThat(b.getShort()).isEqualTo((short) 3);
            assertThat(b.hasRemaining()).isFalse();
        }
    }

    @Test
    void attachReplacesAnEarlierTag() {
        ShareAcknowledgeRequestData d = new ShareAcknowledgeRequestData().setGroupId("g").setMemberId("m").setShareSessionEpoch(2);
        TransactionalShareAcks.attach(d, new TransactionalShareAcks.Transaction("a", 1, (short) 0));
        TransactionalShareAcks.attach(d, new TransactionalShareAcks.Transaction("b", 2, (short) 1));
        assertThat(d.unknownTaggedFields()).hasSize(1);
        assertThat(d.unknownTaggedFields().get(0).data())
                .isEqualTo(new TransactionalShareAcks.Transaction("b", 2, (short) 1).encode());
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> new TransactionalShareAcks.Transaction("", 1, (short) 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionalShareAcks.Transaction("t", -1, (short) 0)).hasMessageContaining("initialized");
        assertThatThrownBy(() -> new TransactionalShareAcks.Range(5, 4)).isInstanceOf(IllegalArgumentException.class);
        var txn = new TransactionalShareAcks.Transaction("t", 1, (short) 0);
        assertThatThrownBy(() -> TransactionalShareAcks.request("g", "m", 0, TOPIC, 0, List.of(), txn))
                .hasMessageContaining("open share session");
    }

    @Test
    void onlyABrokerAdvertisingTheFeatureIsSupported() {
        ApiVersionsResponseData kafka = new ApiVersionsResponseData();
        assertThat(TransactionalShareAcks.supported(kafka)).isFalse();
        ApiVersionsResponseData weir = new ApiVersionsResponseData();
        weir.supportedFeatures().add(new ApiVersionsResponseData.SupportedFeatureKey().setName(TransactionalShareAcks.FEATURE)
                .setMinVersion((short) 1).setMaxVersion((short) 1));
        assertThat(TransactionalShareAcks.supported(weir)).isTrue();
    }
}
