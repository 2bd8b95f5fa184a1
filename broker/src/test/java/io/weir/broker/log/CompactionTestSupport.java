package io.weir.broker.log;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Keyed records for cleaner tests, and what a log holds read back through the public read path. */
final class CompactionTestSupport {

    /** A stored record: its offset, key, value (null for a tombstone) and whether it is in a control batch. */
    record KeyedRecord(long offset, String key, String value, boolean control) {
    }

    private CompactionTestSupport() {
    }

    static MemoryRecords keyed(long timestamp, String key, String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(timestamp, bytes(key), bytes(value)));
    }

    static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(java.nio.ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    /** Every record (data and control) from the log start to the log end. */
    static List<KeyedRecord> readAll(PartitionLog log) {
        List<KeyedRecord> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            FetchDataInfo info = log.read(next, 64 * 1024, true);
            if (info.isEmpty()) {
                break;
            }
            MemoryRecords records = MemoryRecords.readableRecords(info.records().readAll());
            for (RecordBatch batch : records.batches()) {
                for (Record r : batch) {
                    if (r.offset() >= next) {
                        out.add(new KeyedRecord(r.offset(), batch.isControlBatch() ? null : string(r.key()),
                                batch.isControlBatch() ? null : string(r.value()), batch.isControlBatch()));
                    }
                }
                next = Math.max(next, batch.lastOffset() + 1);
            }
        }
        return out;
    }

    /** The data records only. */
    static List<KeyedRecord> data(PartitionLog log) {
        return readAll(log).stream().filter(r -> !r.control()).toList();
    }

    /** Key → last value as a consumer reading the whole log would end up with (tombstones delete). */
    static Map<String, String> lastValues(PartitionLog log) {
        Map<String, String> m = new LinkedHashMap<>();
        for (KeyedRecord r : data(log)) {
            if (r.value() == null) {
                m.remove(r.key());
            } else {
                m.put(r.key(), r.value());
            }
        }
        return m;
    }
}
