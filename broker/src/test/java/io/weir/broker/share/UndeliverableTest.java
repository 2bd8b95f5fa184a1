package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.log.AbortedTxn;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class UndeliverableTest {
    private static final long ABORTING = 7;
    private static final long COMMITTING = 8;

    /**
     * 0-1 producer 7 (transactional), 2-3 producer 8 (transactional), 4 plain, 5 producer 7's ABORT marker,
     * 6 producer 8's COMMIT marker, 7 plain.
     */
    private static MemoryRecords log() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        txn(buf, 0, ABORTING, "a0", "a1");
        txn(buf, 2, COMMITTING, "c0", "c1");
        plain(buf, 4, "p0");
        MemoryRecords.writeEndTransactionalMarker(buf, 5, 0, 0, ABORTING, (short) 0,
                new EndTransactionMarker(ControlRecordType.ABORT, 0));
        MemoryRecords.writeEndTransactionalMarker(buf, 6, 0, 0, COMMITTING, (short) 0,
                new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        plain(buf, 7, "p1");
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    private static void txn(ByteBuffer buf, long base, long producerId, String... values) {
        MemoryRecordsBuilder b = MemoryRecords.builder(buf, RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE, TimestampType.CREATE_TIME,
                base, 0, producerId, (short) 0, 0, true, RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (String v : values) {
            b.append(new SimpleRecord(v.getBytes()));
        }
        b.close();
    }

    private static void plain(ByteBuffer buf, long base, String value) {
        MemoryRecordsBuilder b = MemoryRecords.builder(buf, Compression.NONE, TimestampType.CREATE_TIME, base);
        b.append(new SimpleRecord(value.getBytes()));
        b.close();
    }

    private static List<Long> undeliverable(Undeliverable u) {
        return java.util.stream.LongStream.range(0, 9).filter(u).boxed().toList();
    }

    @Test
    void readCommittedSkipsAbortedTransactionsAndEveryMarker() {
        Undeliverable u = Undeliverable.of(log(), List.of(new AbortedTxn(ABORTING, 0, 5, 2)));
        assertThat(undeliverable(u)).containsExactly(0L, 1L, 5L, 6L);
    }

    @Test
    void readUncommittedSkipsOnlyMarkers() {
        assertThat(undeliverable(Undeliverable.of(log(), null))).containsExactly(5L, 6L);
    }

    @Test
    void anAbortOfTheSameProducerThatEndedBeforeTheBatchDoesNotTouchIt() {
        // producer 7 aborted an earlier transaction (marker at -1 is impossible, so use one ending before 0's batch)
        Undeliverable u = Undeliverable.of(log(), List.of(new AbortedTxn(COMMITTING, 0, 1, 0)));
        assertThat(undeliverable(u)).as("a marker at 1 ends before producer 8's batch at 2").containsExactly(5L, 6L);
    }

    @Test
    void nothingUndeliverableInPlainRecords() {
        ByteBuffer buf = ByteBuffer.allocate(512);
        plain(buf, 10, "x");
        buf.flip();
        Undeliverable u = Undeliverable.of(MemoryRecords.readableRecords(buf), List.of());
        assertThat(u.isEmpty()).isTrue();
        assertThat(u.test(10)).isFalse();
    }
}
