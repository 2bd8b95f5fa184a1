package io.weir.broker.share;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;

/** Share-partition state to and from the ReadShareGroupState / WriteShareGroupState messages. */
public final class ShareStateMessages {
    private ShareStateMessages() {
    }

    public static WriteShareGroupStateRequestData.PartitionData toWrite(int partition, int leaderEpoch, ShareSnapshot s) {
        WriteShareGroupStateRequestData.PartitionData p = new WriteShareGroupStateRequestData.PartitionData().setPartition(partition)
                .setLeaderEpoch(leaderEpoch).setStateEpoch(s.stateEpoch()).setStartOffset(s.startOffset());
        for (StateBatch b : s.batches()) {
            p.stateBatches().add(new WriteShareGroupStateRequestData.StateBatch().setFirstOffset(b.first()).setLastOffset(b.last())
                    .setDeliveryState(b.state().code()).setDeliveryCount((short) b.deliveryCount()));
        }
        return p;
    }

    public static ShareSnapshot fromWrite(WriteShareGroupStateRequestData.PartitionData p) {
        List<StateBatch> batches = new ArrayList<>();
        for (WriteShareGroupStateRequestData.StateBatch b : p.stateBatches()) {
            batches.add(new StateBatch(b.firstOffset(), b.lastOffset(), DeliveryState.of(b.deliveryState()), b.deliveryCount()));
        }
        return new ShareSnapshot(p.stateEpoch(), p.startOffset(), batches);
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
        return Optional.of(new ShareSnapshot(p.stateEpoch(), p.startOffset(), batches));
    }
}
