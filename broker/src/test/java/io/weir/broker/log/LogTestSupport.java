package io.weir.broker.log;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Reading a log back in tests. */
final class LogTestSupport {
    private LogTestSupport() {
    }

    record Stored(long offset, long timestamp, String value) {
    }

    /** Every record from {@code from} to the log end, read through the public read path. */
    static List<Stored> readAll(PartitionLog log, long from) {
        List<Stored> out = new ArrayList<>();
        long next = from;
        while (next < log.logEndOffset()) {
            FetchDataInfo info = log.read(next, 64 * 1024, true);
            if (info.isEmpty()) {
                break;
            }
            MemoryRecords records = MemoryRecords.readableRecords(info.records().readAll());
            for (RecordBatch batch : records.batches()) {
                for (Record r : batch) {
                    if (r.offset() >= next) {
                        out.add(new Stored(r.offset(), r.timestamp(), r.hasValue()
                                ? StandardCharsets.UTF_8.decode(r.value()).toString() : null));
                    }
                }
                next = Math.max(next, batch.lastOffset() + 1);
            }
        }
        return out;
    }

    static List<String> values(PartitionLog log) {
        return readAll(log, log.logStartOffset()).stream().map(Stored::value).toList();
    }
}
