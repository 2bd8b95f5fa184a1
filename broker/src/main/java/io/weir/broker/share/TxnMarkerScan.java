package io.weir.broker.share;

import io.weir.broker.log.FetchDataInfo;
import io.weir.broker.log.PartitionLog;
import java.util.Iterator;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Finds the transaction markers (COMMIT and ABORT control batches) of a data partition's log from an offset to its
 * end, in offset order: how a share-partition leader resolves acknowledgements pending in a transaction whose marker
 * it did not see being written (it became leader after, or the marker landed while the acknowledgement was being
 * recorded).
 */
final class TxnMarkerScan {
    private static final int READ_BYTES = 1 << 20;

    /** Receives one marker. */
    @FunctionalInterface
    interface Visitor {
        void marker(long producerId, short producerEpoch, long offset, boolean commit);
    }

    private TxnMarkerScan() {
    }

    /** Visits the markers at offsets from {@code from} (raised to the log start) to the log end. */
    static void scan(PartitionLog log, long from, Visitor visitor) {
        long next = Math.max(from, log.logStartOffset());
        while (next < log.logEndOffset()) {
            FetchDataInfo info = log.read(next, READ_BYTES, true);
            if (info.isEmpty()) {
                return;
            }
            long before = next;
            for (RecordBatch batch : MemoryRecords.readableRecords(info.records().readAll()).batches()) {
                if (batch.lastOffset() < next) {
                    continue;
                }
                if (batch.isControlBatch()) {
                    Iterator<Record> records = batch.iterator();
                    if (records.hasNext()) {
                        ControlRecordType type = ControlRecordType.parse(records.next().key());
                        if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                            visitor.marker(batch.producerId(), batch.producerEpoch(), batch.baseOffset(),
                                    type == ControlRecordType.COMMIT);
                        }
                    }
                }
                next = batch.lastOffset() + 1;
            }
            if (next == before) {
                return;
            }
        }
    }
}
