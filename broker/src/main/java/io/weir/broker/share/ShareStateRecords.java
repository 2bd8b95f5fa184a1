package io.weir.broker.share;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The records of the internal {@code __share_group_state} topic: one record per share-partition
 * holding its whole state; a later record replaces an earlier one, a null value deletes it.
 *
 * <pre>
 * key   (v1): int16 version=1, string group, int64 topicId.msb, int64 topicId.lsb, int32 partition
 * value (v1): int16 version=1, int32 leaderEpoch, int32 stateEpoch, int64 startOffset, int32 batchCount,
 *             batchCount x (int64 firstOffset, int64 lastOffset, int8 deliveryState, int16 deliveryCount)
 *             [pending section, only when some acknowledgement waits for a transaction:
 *              int32 pendingCount, pendingCount x (int64 firstOffset, int64 lastOffset, int64 producerId,
 *              int16 producerEpoch, int64 markerFrom)]
 * string: int16 length + UTF-8 bytes
 * </pre>
 *
 * A record with an unknown version is skipped with a warning when loading. The pending section (acknowledgements
 * inside Kafka transactions, {@link PendingTxnAck}) trails the v1 layout, so a reader that stops after the batches
 * still reads a valid state, in which those offsets are AVAILABLE (delivered again: the safe side).
 */
final class ShareStateRecords {
    static final short VERSION = 1;

    private ShareStateRecords() {
    }

    /** A decoded value. */
    record Value(int leaderEpoch, ShareSnapshot snapshot) {
    }

    static byte[] key(ShareKey key) {
        byte[] g = key.groupId().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 + 2 + g.length + 16 + 4);
        buf.putShort(VERSION).putShort((short) g.length).put(g);
        buf.putLong(key.topicId().getMostSignificantBits()).putLong(key.topicId().getLeastSignificantBits());
        buf.putInt(key.partition());
        return buf.array();
    }

    static byte[] value(int leaderEpoch, ShareSnapshot s) {
        int pendingBytes = s.pending().isEmpty() ? 0 : 4 + s.pending().size() * PENDING_BYTES;
        ByteBuffer buf = ByteBuffer.allocate(2 + 4 + 4 + 8 + 4 + s.batches().size() * 19 + pendingBytes);
        buf.putShort(VERSION).putInt(leaderEpoch).putInt(s.stateEpoch()).putLong(s.startOffset()).putInt(s.batches().size());
        for (StateBatch b : s.batches()) {
            buf.putLong(b.first()).putLong(b.last()).put(b.state().code()).putShort((short) b.deliveryCount());
        }
        if (!s.pending().isEmpty()) {
            putPending(buf, s.pending());
        }
        return buf.array();
    }

    private static final int PENDING_BYTES = 8 + 8 + 8 + 2 + 8;

    /** The pending section alone (int32 count + entries), as the share state messages carry it in a tagged field. */
    static byte[] pending(List<PendingTxnAck> pending) {
        ByteBuffer buf = ByteBuffer.allocate(4 + pending.size() * PENDING_BYTES);
        putPending(buf, pending);
        return buf.array();
    }

    private static void putPending(ByteBuffer buf, List<PendingTxnAck> pending) {
        buf.putInt(pending.size());
        for (PendingTxnAck p : pending) {
            buf.putLong(p.first()).putLong(p.last()).putLong(p.producerId()).putShort(p.producerEpoch()).putLong(p.markerFrom());
        }
    }

    /** Reads a pending section (int32 count + entries) from {@code b}. */
    static List<PendingTxnAck> decodePending(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / PENDING_BYTES) {
            throw new IllegalArgumentException("Share state claims " + n + " pending acknowledgements in " + b.remaining() + " bytes");
        }
        List<PendingTxnAck> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new PendingTxnAck(b.getLong(), b.getLong(), b.getLong(), b.getShort(), b.getLong()));
        }
        return out;
    }

    /** The key, or null when its version is unknown. */
    static ShareKey decodeKey(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        if (b.getShort() != VERSION) {
            return null;
        }
        byte[] g = new byte[b.getShort()];
        b.get(g);
        Uuid topicId = new Uuid(b.getLong(), b.getLong());
        return new ShareKey(new String(g, StandardCharsets.UTF_8), topicId, b.getInt());
    }

    /** The value, or null when its version is unknown. */
    static Value decodeValue(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        if (b.getShort() != VERSION) {
            return null;
        }
        int leaderEpoch = b.getInt();
        int stateEpoch = b.getInt();
        long start = b.getLong();
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 19) {
            throw new IllegalArgumentException("Share state value claims " + n + " batches in " + b.remaining() + " bytes");
        }
        List<StateBatch> batches = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batches.add(new StateBatch(b.getLong(), b.getLong(), DeliveryState.of(b.get()), b.getShort()));
        }
        List<PendingTxnAck> pending = b.remaining() >= 4 ? decodePending(b) : List.of();
        return new Value(leaderEpoch, new ShareSnapshot(stateEpoch, start, batches, pending));
    }
}
