package io.weir.broker.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of the internal {@code __consumer_offsets} topic. One record per group and partition;
 * a later record replaces an earlier one, a record with a null value (tombstone) deletes it.
 *
 * <pre>
 * key   (v1): int16 version=1, string group, string topic, int32 partition
 * value (v1): int16 version=1, int64 offset, int32 leaderEpoch, string metadata, int64 commitTimestamp
 * string: int16 length (-1 for null) + UTF-8 bytes
 * </pre>
 *
 * A record with an unknown version is skipped with a warning when loading, so a newer broker's
 * records never stop an older one from starting.
 */
final class OffsetRecords {
    static final short VERSION = 1;

    private OffsetRecords() {
    }

    /** A decoded key. */
    record Key(String group, TopicPartition partition) {
    }

    static byte[] key(String group, TopicPartition tp) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        byte[] t = tp.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4);
        buf.putShort(VERSION);
        putString(buf, g);
        putString(buf, t);
        buf.putInt(tp.partition());
        return buf.array();
    }

    static byte[] value(CommittedOffset offset) {
        byte[] m = offset.metadata() == null ? null : offset.metadata().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 + 8 + 4 + 2 + (m == null ? 0 : m.length) + 8);
        buf.putShort(VERSION);
        buf.putLong(offset.offset());
        buf.putInt(offset.leaderEpoch());
        putString(buf, m);
        buf.putLong(offset.commitTimestamp());
        return buf.array();
    }

    /** The key, or null when its version is unknown. */
    static Key decodeKey(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        if (b.getShort() != VERSION) {
            return null;
        }
        String group = getString(b);
        String topic = getString(b);
        return new Key(group, new TopicPartition(topic, b.getInt()));
    }

    /** The value, or null when its version is unknown. */
    static CommittedOffset decodeValue(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        if (b.getShort() != VERSION) {
            return null;
        }
        long offset = b.getLong();
        int epoch = b.getInt();
        String metadata = getString(b);
        return new CommittedOffset(offset, epoch, metadata, b.getLong());
    }

    private static void putString(ByteBuffer buf, byte[] s) {
        if (s == null) {
            buf.putShort((short) -1);
            return;
        }
        buf.putShort((short) s.length);
        buf.put(s);
    }

    private static String getString(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
