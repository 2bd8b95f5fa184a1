package io.weir.jms.client;

import org.apache.kafka.common.message.ShareAcknowledgeRequestData.AcknowledgementBatch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShareGroupMemberTest {

    private static List<AcknowledgementBatch> batches(ShareGroupMember.Ack... acks) {
        return ShareGroupMember.batches(List.of(acks), AcknowledgementBatch::new,
                (b, first, last, types) -> b.setFirstOffset(first).setLastOffset(last).setAcknowledgeTypes(types));
    }

    private static ShareGroupMember.Ack ack(long offset, int type) {
        return new ShareGroupMember.Ack(0, offset, (byte) type);
    }

    @Test
    void consecutiveOffsetsOfOneTypeBecomeOneBatch() {
        assertThat(batches(ack(12, 1), ack(10, 1), ack(11, 1)))
                .containsExactly(new AcknowledgementBatch().setFirstOffset(10).setLastOffset(12).setAcknowledgeTypes(List.of((byte) 1)));
    }

    @Test
    void aGapOrAnotherTypeStartsANewBatch() {
        assertThat(batches(ack(1, 1), ack(2, 2), ack(3, 2), ack(5, 2), ack(6, 3)))
                .extracting(b -> b.firstOffset() + "-" + b.lastOffset() + ":" + b.acknowledgeTypes())
                .containsExactly("1-1:[1]", "2-3:[2]", "5-5:[2]", "6-6:[3]");
    }

    @Test
    void theSameRecordTwiceKeepsItsFirstDecision() {
        assertThat(batches(ack(4, 1), ack(4, 2), ack(5, 1)))
                .extracting(b -> b.firstOffset() + "-" + b.lastOffset() + ":" + b.acknowledgeTypes())
                .containsExactly("4-5:[1]");
    }

    @Test
    void aBadNumericSettingIsAConfigExceptionNamingIt() {
        java.util.Properties p = new java.util.Properties();
        p.put("max.poll.records", "ten");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShareLane.intSetting(p, "max.poll.records", 10, 1))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class).hasMessageContaining("max.poll.records")
                .hasMessageContaining("ten");
        p.put("max.poll.records", "0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShareLane.intSetting(p, "max.poll.records", 10, 1))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class);
        p.put("max.poll.records", " 7 ");
        assertThat(ShareLane.intSetting(p, "max.poll.records", 10, 1)).isEqualTo(7);
        assertThat(ShareLane.intSetting(new java.util.Properties(), "max.poll.records", 10, 1)).isEqualTo(10);
    }

    @Test
    void noAcknowledgementsNoBatches() {
        assertThat(batches()).isEmpty();
    }
}
