package io.weir.broker.share;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.protocol.types.RawTaggedField;

/**
 * Share-partition state to and from the ReadShareGroupState / WriteShareGroupState messages. Acknowledgements
 * pending in a Kafka transaction ({@link PendingTxnAck}) travel in Weir's tagged field {@value #PENDING_TAG} of
 * the partition entry (the pending section of {@link ShareStateRecords}'s value layout); their offsets are AVAILABLE
 * in the state batches, so a peer that ignores the tag delivers them again.
 */
public final class ShareStateMessages {
    /** The tag of the pending acknowledgements in a partition entry (far above Kafka's own tags). */
    public static final int PENDING_TAG = 10_001;

    private ShareStateMessages() {
    }

    private static void putPending(List<RawTaggedField> fields, List<PendingTxnAck> pending) {
        if (!pending.isEmpty()) {
            fields.add(new RawTaggedField(PENDING_TAG, ShareStateRecords.pending(pending)));
        }
    }

    private static List<PendingTxnAck> pendingOf(List<RawTaggedField> fields) {
        for (RawTaggedField f : fields) {
            if (f.tag() == PENDING_TAG) {
                return ShareStateRecords.decodePending(ByteBuffer.wrap(f.data()));
            }
        }
        return List.of();
    }

    public static WriteShareGroupStateRequestData.PartitionData toWrite(int partition, int leaderEpoch, ShareSnapshot s) {
        WriteShareGroupStateRequestData.PartitionData p = new WriteShareGroupStateRequestData.PartitionData().setPartition(partition)
                .setLeaderEpoch(leaderEpoch).setStateEpoch(s.stateEpoch()).setStartOffset(s.startOffset());
        for (StateBatch b : s.batches()) {
            p.stateBatches().add(new WriteShareGroupStateRequestData.StateBatch().setFirstOffset(b.first()).setLastOffset(b.last())
                    .setDeliveryState(b.state().code()).setDeliveryCount((short) b.deliveryCount()));
        }
        putPending(p.unknownTaggedFields(), s.pending());
        return p;
    }

    public static ShareSnapshot fromWrite(WriteShareGroupStateRequestData.PartitionData p) {
        List<StateBatch> batches = new ArrayList<>();
        for (WriteShareGroupStateRequestData.StateBatch b : p.stateBatches()) {
            batches.add(new StateBatch(b.firstOffset(), b.lastOffset(), DeliveryState.of(b.deliveryState()), b.deliveryCount()));
        }
        return new ShareSnapshot(p.stateEpoch(), p.startOffset(), batches, pendingOf(p.unknownTaggedFields()));
    }

    /** A read answer; a start offset of -1 means no state was ever written. */
    public static ReadShareGroupStateResponseData.PartitionResult toRead(int partition, Optional<ShareSnapshot> snapshot) {
        ReadShareGroupStateResponseData.PartitionResult p = new ReadShareGroupStateResponseData.PartitionResult().setPartition(partition);
        if (snapshot.isEmpty()) {
            return p.setStateEpoch(0).setStartOffset(-1);
        }
        ShareSnapshot s = snapshot.get();
        p.setStateEpoch(s.stateEpoch()).setStartOffset(s.startOffset());
        for (StateBatch b : s.batches()) {
            p.stateBatches().add(new ReadShareGroupStateResponseData.StateBatch().setFirstOffset(b.first()).setLastOffset(b.last())
                    .setDeliveryState(b.state().code()).setDeliveryCount((short) b.deliveryCount()));
        }
        putPending(p.unknownTaggedFields(), s.pending());
        return p;
    }

    public static Optional<ShareSnapshot> fromRead(ReadShareGroupStateResponseData.PartitionResult p) {
        if (p.startOffset() < 0) {
            return Optional.empty();
        }
        List<StateBatch> batches = new ArrayList<>();
        for (ReadShareGroupStateResponseData.StateBatch b : p.stateBatches()) {
            batches.add(new StateBatch(b.firstOffset(), b.lastOffset(), DeliveryState.of(b.deliveryState()), b.deliveryCount()));
        }
        return Optional.of(new ShareSnapshot(p.stateEpoch(), p.startOffset(), batches, pendingOf(p.unknownTaggedFields())));
    }
}
