package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.junit.jupiter.api.Test;

/** Acknowledgements inside a Kafka transaction: pending, ended by the transaction's marker, durable. */
class SharePartitionTxnAckTest {
    private static final long LOCK = 30_000;
    private static final long PID = 7;
    private static final short EPOCH = 3;
    private final MockTime time = new MockTime();

    /** Offsets 0..4 acquired by member a, 0..2 accepted in the transaction, markers counted from offset 10. */
    private SharePartitionState pendingState(int deliveryLimit) {
        SharePartitionState s = SharePartitionState.fresh(0, deliveryLimit, 100);
        assertThat(s.acquire("a", 5, 5, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(0, 4, 1));
        assertThat(s.acceptInTransaction("a", 0, 2, PID, EPOCH, 10)).isEqualTo(SharePartitionState.AckResult.OK);
        return s;
    }

    @Test
    void pendingRecordsAreNeitherRedeliveredNorChangeableNorExpired() {
        SharePartitionState s = pendingState(5);
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.PENDING_TXN);
        assertThat(s.acknowledge("a", 0, 0, AckType.RELEASE, LOCK, time.milliseconds()))
                .isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
        assertThat(s.acknowledge("a", 1, 1, AckType.ACCEPT, LOCK, time.milliseconds()))
                .isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
        assertThat(s.acceptInTransaction("a", 2, 2, PID, EPOCH, 10)).as("twice").isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
        time.sleep(LOCK + 1);
        assertThat(s.expireLocks(time.milliseconds())).as("only 3 and 4 were still locked").isEqualTo(2);
        assertThat(s.releaseMember("a", false)).isZero();
        assertThat(s.acquire("b", 10, 5, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(3, 4, 2));
        assertThat(s.stateOf(1)).isEqualTo(DeliveryState.PENDING_TXN);
        assertThat(s.startOffset()).as("pending records hold the start offset").isZero();
        assertThat(s.pendingMarkerFrom()).isEqualTo(10);
    }

    @Test
    void onlyRecordsAcquiredByTheMemberCanBeAcceptedInATransaction() {
        SharePartitionState s = SharePartitionState.fresh(0, 5, 100);
        s.acquire("a", 2, 5, LOCK, time.milliseconds());
        assertThat(s.acceptInTransaction("b", 0, 0, PID, EPOCH, 10)).isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
        assertThat(s.acceptInTransaction("a", 0, 2, PID, EPOCH, 10)).as("2 is not acquired")
                .isEqualTo(SharePartitionState.AckResult.INVALID_RECORD_STATE);
        assertThat(s.stateOf(0)).as("nothing changed").isEqualTo(DeliveryState.ACQUIRED);
        assertThat(s.pendingMarkerFrom()).isEqualTo(-1);
    }

    @Test
    void theCommitMarkerAcknowledgesThem() {
        SharePartitionState s = pendingState(5);
        assertThat(s.completeTransaction(PID + 1, EPOCH, 20, true)).as("another producer").isZero();
        assertThat(s.completeTransaction(PID, EPOCH, 9, true)).as("an earlier transaction's marker, below markerFrom").isZero();
        assertThat(s.completeTransaction(PID, (short) (EPOCH - 1), 20, false)).as("an older epoch").isZero();
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.PENDING_TXN);
        assertThat(s.completeTransaction(PID, EPOCH, 10, true)).isEqualTo(3);
        assertThat(s.stateOf(2)).isEqualTo(DeliveryState.ACKNOWLEDGED);
        assertThat(s.startOffset()).isEqualTo(3);
        assertThat(s.completeTransaction(PID, EPOCH, 30, false)).as("a later marker changes nothing").isZero();
        assertThat(s.pendingMarkerFrom()).isEqualTo(-1);
    }

    @Test
    void theAbortMarkerReleasesThemWithTheirDeliveryCount() {
        SharePartitionState s = pendingState(5);
        assertThat(s.completeTransaction(PID, EPOCH, 12, false)).isEqualTo(3);
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.AVAILABLE);
        assertThat(s.acquire("b", 3, 5, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(0, 2, 2));
    }

    @Test
    void anAbortAtTheDeliveryLimitArchives() {
        SharePartitionState s = pendingState(1);
        assertThat(s.completeTransaction(PID, EPOCH, 12, false)).isEqualTo(3);
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.ACKNOWLEDGED).as("archived and before the start offset");
        assertThat(s.startOffset()).isEqualTo(3);
    }

    @Test
    void aMarkerOfAHigherEpochEndsTheTransactionWhereverItIs() {
        // a timeout abort bumps the epoch; so does a recovering instance of a prepared two-phase transaction (commit)
        SharePartitionState s = pendingState(5);
        assertThat(s.completeTransaction(PID, (short) (EPOCH + 1), 4, false)).isEqualTo(3);
        assertThat(s.stateOf(0)).isEqualTo(DeliveryState.AVAILABLE);
        SharePartitionState t = pendingState(5);
        assertThat(t.completeTransaction(PID, (short) (EPOCH + 1), 40, true)).isEqualTo(3);
        assertThat(t.startOffset()).isEqualTo(3);
    }

    @Test
    void pendingAcknowledgementsSurviveASnapshotAndAreEndedAfterTheRestore() {
        SharePartitionState s = pendingState(5);
        ShareSnapshot snap = s.snapshot();
        assertThat(snap.pending()).containsExactly(new PendingTxnAck(0, 2, PID, EPOCH, 10));
        assertThat(snap.batches()).as("pending offsets read as available by whoever ignores the pending list")
                .contains(new StateBatch(0, 4, DeliveryState.AVAILABLE, 1));
        SharePartitionState restored = SharePartitionState.restore(snap, 5, 100);
        assertThat(restored.stateOf(1)).isEqualTo(DeliveryState.PENDING_TXN);
        assertThat(restored.acquire("b", 10, 5, LOCK, time.milliseconds())).containsExactly(new AcquiredRange(3, 4, 2));
        assertThat(restored.completeTransaction(PID, EPOCH, 11, true)).isEqualTo(3);
        assertThat(restored.startOffset()).isEqualTo(3);
    }

    @Test
    void thePendingSectionRoundTripsInTheStateRecordAndAnOlderRecordReadsWithoutIt() {
        ShareSnapshot snap = pendingState(5).snapshot();
        ShareStateRecords.Value v = ShareStateRecords.decodeValue(ByteBuffer.wrap(ShareStateRecords.value(4, snap)));
        assertThat(v.leaderEpoch()).isEqualTo(4);
        assertThat(v.snapshot()).isEqualTo(snap);
        ShareSnapshot plain = new ShareSnapshot(snap.stateEpoch(), snap.startOffset(), snap.batches());
        byte[] v1 = ShareStateRecords.value(4, plain);
        assertThat(v1).hasSize(2 + 4 + 4 + 8 + 4 + snap.batches().size() * 19);
        assertThat(ShareStateRecords.decodeValue(ByteBuffer.wrap(v1)).snapshot().pending()).isEmpty();
        byte[] truncated = java.util.Arrays.copyOf(ShareStateRecords.value(4, snap), v1.length + 4 + 10);
        assertThatThrownBy(() -> ShareStateRecords.decodeValue(ByteBuffer.wrap(truncated))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePendingListTravelsInATaggedFieldOfTheStateMessages() {
        ShareSnapshot snap = pendingState(5).snapshot();
        WriteShareGroupStateRequestData write = new WriteShareGroupStateRequestData().setGroupId("g");
        write.topics().add(new WriteShareGroupStateRequestData.WriteStateData()
                .setPartitions(List.of(ShareStateMessages.toWrite(0, 1, snap))));
        WriteShareGroupStateRequestData read = new WriteShareGroupStateRequestData(roundTrip(write, (short) 0), (short) 0);
        assertThat(ShareStateMessages.fromWrite(read.topics().get(0).partitions().get(0))).isEqualTo(snap);

        ReadShareGroupStateResponseData.PartitionResult answer = ShareStateMessages.toRead(0, Optional.of(snap));
        ReadShareGroupStateResponseData rd = new ReadShareGroupStateResponseData();
        rd.results().add(new ReadShareGroupStateResponseData.ReadStateResult().setPartitions(List.of(answer)));
        ReadShareGroupStateResponseData back = new ReadShareGroupStateResponseData(roundTrip(rd, (short) 0), (short) 0);
        assertThat(ShareStateMessages.fromRead(back.results().get(0).partitions().get(0))).contains(snap);
    }

    private static ByteBufferAccessor roundTrip(org.apache.kafka.common.protocol.Message m, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        m.addSize(size, cache, version);
        ByteBuffer buf = ByteBuffer.allocate(size.totalSize());
        m.write(new ByteBufferAccessor(buf), cache, version);
        buf.flip();
        return new ByteBufferAccessor(buf);
    }

    @Test
    void theRequestTagRoundTripsAndMalformedOnesAreRefused() {
        TxnAck ack = new TxnAck("orders-0", 42, (short) 5);
        assertThat(TxnAck.decode(ack.encode())).isEqualTo(ack);
        assertThatThrownBy(() -> TxnAck.decode(new byte[] {0, 0, 0, 9, 'x'})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TxnAck.decode(new byte[] {0, 1})).hasMessageContaining("version");
        assertThatThrownBy(() -> TxnAck.decode(new TxnAck("t", -1, (short) 0).encode())).hasMessageContaining("producer id");
        byte[] longer = java.util.Arrays.copyOf(ack.encode(), ack.encode().length + 1);
        assertThatThrownBy(() -> TxnAck.decode(longer)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> TxnAck.decode(new byte[0])).hasMessageContaining("truncated");
    }
}
