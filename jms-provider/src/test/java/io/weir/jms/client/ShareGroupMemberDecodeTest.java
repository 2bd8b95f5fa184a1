package io.weir.jms.client;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** How a ShareFetch answer's records become the member's records, and which acquired offsets it owes a GAP. */
class ShareGroupMemberDecodeTest {

    private static final long PRODUCER_ID = 7;
    private static final short PRODUCER_EPOCH = 0;

    /** One batch holding {@code offsets} (not necessarily consecutive, as after compaction), values "v<offset>". */
    private static MemoryRecords batch(Compression compression, long... offsets) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(4096), compression, TimestampType.CREATE_TIME, offsets[0]);
        for (long o : offsets) {
            b.appendWithOffset(o, 1_000L + o, null, ("v" + o).getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    private static MemoryRecords commitMarker(long offset) {
        return MemoryRecords.withEndTransactionMarker(offset, 1_000L, 0, PRODUCER_ID, PRODUCER_EPOCH,
                new EndTransactionMarker(ControlRecordType.COMMIT, 0));
    }

    private static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords m : parts) {
            size += m.sizeInBytes();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (MemoryRecords m : parts) {
            all.put(m.buffer().duplicate());
        }
        all.flip();
        return MemoryRecords.readableRecords(all);
    }

    private static ShareFetchResponseData.AcquiredRecords acquired(long first, long last, int deliveries) {
        return new ShareFetchResponseData.AcquiredRecords().setFirstOffset(first).setLastOffset(last).setDeliveryCount((short) deliveries);
    }

    private record Decoded(List<ConsumerRecord<byte[], byte[]>> records, List<Long> gaps, List<Long> rejected) {
        List<Long> offsets() {
            return records.stream().map(ConsumerRecord::offset).toList();
        }
    }

    private static Decoded decode(MemoryRecords records, ShareFetchResponseData.AcquiredRecords... ranges) {
        ShareFetchResponseData.PartitionData pd = new ShareFetchResponseData.PartitionData().setPartitionIndex(3)
                .setRecords(records).setAcquiredRecords(List.of(ranges));
        List<ConsumerRecord<byte[], byte[]>> into = new ArrayList<>();
        List<Long> gaps = new ArrayList<>();
        List<Long> rejected = new ArrayList<>();
        ShareGroupMember.decode("q", pd, into, gaps, rejected);
        return new Decoded(into, gaps, rejected);
    }

    @Test
    void everyAcquiredOffsetCarriedByARecordIsDeliveredAndNoGapIsOwed() {
        Decoded d = decode(batch(Compression.NONE, 0, 1, 2), acquired(0, 2, 1));
        assertThat(d.offsets()).containsExactly(0L, 1L, 2L);
        assertThat(d.gaps()).isEmpty();
        assertThat(d.rejected()).isEmpty();
        assertThat(d.records()).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo("q");
            assertThat(r.partition()).isEqualTo(3);
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("v" + r.offset());
            assertThat(r.deliveryCount()).contains((short) 1);
        });
    }

    @Test
    void aTransactionMarkerInsideAnAcquiredRangeIsOwedAGapAndNeverDelivered() {
        // Apache Kafka's share-partition acquires whole batches, markers included: its consumer acknowledges them as GAP
        Decoded d = decode(concat(batch(Compression.NONE, 0, 1), commitMarker(2), batch(Compression.NONE, 3)), acquired(0, 3, 1));
        assertThat(d.offsets()).containsExactly(0L, 1L, 3L);
        assertThat(d.gaps()).containsExactly(2L);
    }

    @Test
    void offsetsRemovedByCompactionInsideAndBetweenBatchesAreOwedGaps() {
        Decoded d = decode(concat(batch(Compression.NONE, 10, 12, 13), batch(Compression.NONE, 16)), acquired(10, 17, 2));
        assertThat(d.offsets()).containsExactly(10L, 12L, 13L, 16L);
        assertThat(d.gaps()).containsExactly(11L, 14L, 15L, 17L);
        assertThat(d.records()).allSatisfy(r -> assertThat(r.deliveryCount()).contains((short) 2));
    }

    @Test
    void compressedBatchesAreDecoded() {
        Decoded d = decode(concat(batch(Compression.lz4().build(), 0, 1, 2), batch(Compression.gzip().build(), 3, 4)),
                acquired(0, 4, 1));
        assertThat(d.offsets()).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(d.records()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v0", "v1", "v2", "v3", "v4");
        assertThat(d.gaps()).isEmpty();
    }

    @Test
    void recordsOutsideTheAcquiredRangesAreNeitherDeliveredNorGapped() {
        // a batch that starts before the acquired range, and one record between two ranges (acquired by another member)
        Decoded d = decode(batch(Compression.lz4().build(), 0, 1, 2, 3, 4, 5, 6),
                acquired(2, 3, 1), acquired(5, 6, 3));
        assertThat(d.offsets()).containsExactly(2L, 3L, 5L, 6L);
        assertThat(d.records()).extracting(r -> r.deliveryCount().orElseThrow())
                .containsExactly((short) 1, (short) 1, (short) 3, (short) 3);
        assertThat(d.gaps()).isEmpty();
    }

    @Test
    void aRangeWithNoRecordAtAllIsOwedWhole() {
        Decoded d = decode(MemoryRecords.EMPTY, acquired(4, 6, 1));
        assertThat(d.records()).isEmpty();
        assertThat(d.gaps()).containsExactly(4L, 5L, 6L);
    }

    @Test
    void nothingAcquiredNothingOwed() {
        Decoded d = decode(batch(Compression.NONE, 0, 1));
        assertThat(d.records()).isEmpty();
        assertThat(d.gaps()).isEmpty();
    }

    /** {@code records} with one byte of the batch starting at {@code position} flipped near its end (in a record's value). */
    private static MemoryRecords corrupt(MemoryRecords records, int batchEnd) {
        ByteBuffer b = ByteBuffer.allocate(records.sizeInBytes());
        b.put(records.buffer().duplicate()).flip();
        b.put(batchEnd - 2, (byte) (b.get(batchEnd - 2) ^ 0x5a));
        return MemoryRecords.readableRecords(b);
    }

    @Test
    void aBatchThatCannotBeReadIsRejectedWholeAndTheOthersAreDelivered() {
        MemoryRecords bad = batch(Compression.NONE, 2, 3, 4);
        MemoryRecords good = batch(Compression.NONE, 0, 1);
        MemoryRecords after = batch(Compression.lz4().build(), 5, 6);
        MemoryRecords all = concat(good, bad, after);
        Decoded d = decode(corrupt(all, good.sizeInBytes() + bad.sizeInBytes()), acquired(1, 6, 1));
        assertThat(d.offsets()).containsExactly(1L, 5L, 6L);
        assertThat(d.rejected()).containsExactly(2L, 3L, 4L);
        assertThat(d.gaps()).isEmpty();
    }

    @Test
    void acknowledgementsThatNoShareSessionCouldCarryAreReportedAsFailedOnLeave() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens there once closed: the member never opened a session
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + port);
        try (ShareGroupMember m = new ShareGroupMember("g", "q", "c", p, 10, true, 1_000)) {
            Map<Integer, KafkaException> errors = m.leave(List.of(new ShareGroupMember.Ack(0, 5, (byte) 1)));
            assertThat(errors).containsOnlyKeys(0);
        }
    }
}
