package io.weir.broker.txn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of the internal {@code __transaction_state} topic: one record per transactional id and
 * state change; the last record of an id is its state (replay keeps the last one).
 *
 * <pre>
 * key   (v0): int16 version=0, string transactionalId
 * value (v0): int16 version=0, int64 producerId, int16 producerEpoch, int16 lastProducerEpoch,
 *             int32 timeoutMs, int8 state (see {@link TransactionState#id()}), int64 startTimestamp,
 *             int64 lastUpdateTimestamp, int32 topicCount,
 *             topicCount × (string topic, int32 partitionCount, partitionCount × int32 partition)
 * string: int16 length (-1 for null) + UTF-8 bytes
 * </pre>
 *
 * A record with an unknown version decodes to null and is skipped with a warning by the loader.
 */
final class TransactionLogRecords {
    static final short VERSION = 0;

    private TransactionLogRecords() {
    }

    static byte[] key(String transactionalId) {
        byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 2 + id.length).putShort(VERSION).put(string(id)).array();
    }

    static byte[] value(TxnRecord r) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : r.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        int size = 2 + 8 + 2 + 2 + 4 + 1 + 8 + 8 + 4;
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            size += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + 4 * e.getValue().size();
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putShort(VERSION).putLong(r.producerId()).putShort(r.producerEpoch()).putShort(r.lastProducerEpoch())
                .putInt(r.timeoutMs()).put(r.state().id()).putLong(r.startTimestamp()).putLong(r.lastUpdateTimestamp())
                .putInt(byTopic.size());
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            buf.put(string(e.getKey().getBytes(StandardCharsets.UTF_8)));
            buf.putInt(e.getValue().size());
            e.getValue().stream().sorted().forEach(buf::putInt);
        }
        return buf.array();
    }

    /** The transactional id of a key, or null when its version is unknown. */
    static String decodeKey(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        if (b.getShort() != VERSION) {
            return null;
        }
        return getString(b);
    }

    /** The state in a value, or null when its version or state is unknown. */
    static TxnRecord decodeValue(String transactionalId, ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        if (b.getShort() != VERSION) {
            return null;
        }
        long producerId = b.getLong();
        short epoch = b.getShort();
        short lastEpoch = b.getShort();
        int timeoutMs = b.getInt();
        TransactionState state = TransactionState.fromId(b.get());
        long start = b.getLong();
        long updated = b.getLong();
        int topics = b.getInt();
        Set<TopicPartition> partitions = new HashSet<>();
        for (int i = 0; i < topics; i++) {
            String topic = getString(b);
            int n = b.getInt();
            for (int j = 0; j < n; j++) {
                partitions.add(new TopicPartition(topic, b.getInt()));
            }
        }
        if (state == null) {
            return null;
        }
        return new TxnRecord(transactionalId, producerId, epoch, lastEpoch, timeoutMs, state, partitions, start, updated);
    }

    private static ByteBuffer string(byte[] s) {
        ByteBuffer b = ByteBuffer.allocate(2 + s.length).putShort((short) s.length).put(s);
        return b.flip();
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
