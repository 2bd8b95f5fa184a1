package io.weir.broker.api;

import io.weir.broker.log.FileSlice;
import java.io.IOException;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.DefaultRecordsSend;
import org.apache.kafka.common.record.internal.RecordsSend;
import org.apache.kafka.common.record.internal.TransferableRecords;

/**
 * Stored batches placed in a Fetch response without reading them: when the response is sent, the
 * bytes go from the segment file to the socket with {@code transferTo} (zero copy).
 */
record FileSliceRecords(FileSlice slice) implements TransferableRecords {

    @Override
    public int sizeInBytes() {
        return slice.size();
    }

    @Override
    public RecordsSend<? extends TransferableRecords> toSend() {
        return new DefaultRecordsSend<>(this);
    }

    @Override
    public int writeTo(TransferableChannel channel, int previouslyWritten, int remaining) throws IOException {
        long n = channel.transferFrom(slice.channel(), slice.position() + previouslyWritten, remaining);
        return (int) n;
    }
}
