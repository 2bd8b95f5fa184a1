package io.weir.broker.log;

import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The fixed 61-byte header of a Kafka v2 record batch, read without touching the records. Layout
 * (big-endian, positions from the batch start):
 *
 * <pre>
 *  0 baseOffset int64        21 attributes int16        51 producerEpoch int16
 *  8 length int32 (*)        23 lastOffsetDelta int32   53 baseSequence int32
 * 12 partitionLeaderEpoch    27 baseTimestamp int64     57 recordsCount int32
 * 16 magic int8              35 maxTimestamp int64      61 records…
 * 17 crc uint32 (CRC-32C of bytes 21 to the end)  43 producerId int64
 * (*) length counts the bytes after the length field: the batch is 12 + length bytes.
 * </pre>
 *
 * Because the CRC starts at the attributes, the broker rewrites baseOffset and
 * partitionLeaderEpoch in place without recomputing it.
 */
record BatchHeader(long baseOffset, int sizeInBytes, byte magic, short attributes, int lastOffsetDelta, long maxTimestamp,
                   long producerId, short producerEpoch, int baseSequence, int recordCount) {

    static final int SIZE = 61;
    static final int LOG_OVERHEAD = 12;
    private static final int LENGTH = 8;
    private static final int MAGIC = 16;
    private static final int ATTRIBUTES = 21;
    private static final int TRANSACTIONAL_FLAG = 0x10;
    private static final int CONTROL_FLAG = 0x20;
    private static final int LAST_OFFSET_DELTA = 23;
    private static final int MAX_TIMESTAMP = 35;
    private static final int PRODUCER_ID = 43;
    private static final int PRODUCER_EPOCH = 51;
    private static final int BASE_SEQUENCE = 53;
    private static final int RECORDS_COUNT = 57;

    /** Reads the header at {@code buf}'s absolute position {@code at}; {@code buf} must hold {@link #SIZE} bytes there. */
    static BatchHeader read(ByteBuffer buf, int at) {
        return new BatchHeader(
                buf.getLong(at),
                LOG_OVERHEAD + buf.getInt(at + LENGTH),
                buf.get(at + MAGIC),
                buf.getShort(at + ATTRIBUTES),
                buf.getInt(at + LAST_OFFSET_DELTA),
                buf.getLong(at + MAX_TIMESTAMP),
                buf.getLong(at + PRODUCER_ID),
                buf.getShort(at + PRODUCER_EPOCH),
                buf.getInt(at + BASE_SEQUENCE),
                buf.getInt(at + RECORDS_COUNT));
    }

    long lastOffset() {
        return baseOffset + lastOffsetDelta;
    }

    boolean hasProducerId() {
        return producerId != RecordBatch.NO_PRODUCER_ID;
    }

    /** The sequence number of the last record, wrapping at Integer.MAX_VALUE as producers do. */
    int lastSequence() {
        return ProducerStateManager.incrementSequence(baseSequence, lastOffsetDelta);
    }

    /** Part of a transaction (attributes bit 4). */
    boolean isTransactional() {
        return (attributes & TRANSACTIONAL_FLAG) != 0;
    }

    /** A control batch: a transaction marker (attributes bit 5). */
    boolean isControl() {
        return (attributes & CONTROL_FLAG) != 0;
    }

    boolean isV2() {
        return magic == RecordBatch.MAGIC_VALUE_V2;
    }
}
