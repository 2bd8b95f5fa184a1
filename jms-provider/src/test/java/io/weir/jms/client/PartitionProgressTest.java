package io.weir.jms.client;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionProgressTest {

    @Test
    void consumingInOrderMovesTheBase() {
        PartitionProgress p = new PartitionProgress(10);
        assertThat(p.consume(10)).isTrue();
        assertThat(p.consume(10)).isFalse();
        assertThat(p.base()).isEqualTo(11);
        assertThat(p.encodeAbove()).isEqualTo("weir1:");
    }

    @Test
    void offsetsConsumedAboveAGapTravelInTheMetadata() {
        PartitionProgress p = new PartitionProgress(0);
        p.consume(2);
        p.consume(3);
        p.consume(5);
        p.recordDelivery(0);
        p.setSignature("abcd1234");
        String meta = p.encodeAbove();
        assertThat(meta).isEqualTo("weir1:2-3,5;d=0:1;s=abcd1234");
        PartitionProgress r = PartitionProgress.restore(p.base(), meta);
        assertThat(r.base()).isZero();
        assertThat(r.isConsumed(2)).isTrue();
        assertThat(r.isConsumed(4)).isFalse();
        assertThat(r.signature()).isEqualTo("abcd1234");
        assertThat(r.recordDelivery(0)).isEqualTo(2);
        r.consume(0);
        r.consume(1);
        assertThat(r.base()).isEqualTo(4);
        r.consume(4);
        assertThat(r.base()).isEqualTo(6);
    }

    @Test
    void foreignMetadataIsIgnored() {
        PartitionProgress r = PartitionProgress.restore(7, "written by someone else");
        assertThat(r.base()).isEqualTo(7);
        assertThat(r.signature()).isNull();
        assertThat(r.isConsumed(8)).isFalse();
    }

    @Test
    void randomConsumptionAgreesWithASet() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            PartitionProgress p = new PartitionProgress(0);
            TreeSet<Long> consumed = new TreeSet<>();
            for (int i = 0; i < 100; i++) {
                long o = random.nextInt(60);
                p.consume(o);
                consumed.add(o);
                if (random.nextInt(10) == 0) {
                    p = PartitionProgress.restore(p.base(), p.encodeAbove());
                }
            }
            long base = 0;
            while (consumed.contains(base)) {
                base++;
            }
            assertThat(p.base()).isEqualTo(base);
            for (long o = 0; o < 60; o++) {
                assertThat(p.isConsumed(o)).isEqualTo(consumed.contains(o));
            }
        }
    }

    @Test
    void metadataStaysUnderTheLimit() {
        PartitionProgress p = new PartitionProgress(0);
        for (long o = 2; o < 20_000; o += 2) {
            p.consume(o);
        }
        p.setSignature("sig");
        String meta = p.encodeAbove();
        assertThat(meta.length()).isLessThanOrEqualTo(PartitionProgress.MAX_METADATA);
        assertThat(meta).endsWith(";s=sig");
        PartitionProgress r = PartitionProgress.restore(0, meta);
        assertThat(r.isConsumed(2)).isTrue();
        assertThat(r.isConsumed(1)).isFalse();
    }

    @Test
    void countsThatDoNotFitGiveWayToADeliveredUpToMark() {
        PartitionProgress p = new PartitionProgress(0);
        for (long o = 0; o < 2_000; o++) {
            p.recordDelivery(o);
        }
        p.recordDelivery(0);
        p.setSignature("sig");
        String meta = p.encodeAbove();
        assertThat(meta.length()).isLessThanOrEqualTo(PartitionProgress.MAX_METADATA);
        assertThat(meta).contains(";h=1999").endsWith(";s=sig");
        PartitionProgress r = PartitionProgress.restore(0, meta);
        assertThat(r.deliveries(0)).isEqualTo(2);
        assertThat(r.deliveries(1_999)).isEqualTo(1);
        assertThat(r.deliveries(2_000)).isZero();
        assertThat(r.recordDelivery(1_999)).as("beyond the listed counts, under the mark").isEqualTo(2);
        assertThat(r.recordDelivery(2_000)).isEqualTo(1);
        // the mark survives another round trip while offsets under it are not consumed
        PartitionProgress again = PartitionProgress.restore(0, r.encodeAbove());
        assertThat(again.deliveries(1_500)).isEqualTo(1);
        assertThat(again.deliveries(1_999)).isEqualTo(2);
    }

    @Test
    void theMarkIsWrittenEvenWhenConsumedRangesFillTheMetadata() {
        PartitionProgress p = new PartitionProgress(0);
        for (long o = 2; o < 20_000; o += 2) {
            p.consume(o);
        }
        p.recordDelivery(1);
        String meta = p.encodeAbove();
        assertThat(meta.length()).isLessThanOrEqualTo(PartitionProgress.MAX_METADATA);
        assertThat(meta).endsWith(";h=1");
        PartitionProgress r = PartitionProgress.restore(0, meta);
        assertThat(r.recordDelivery(1)).isEqualTo(2);
        assertThat(r.recordDelivery(0)).as("offset 0 is under the mark too: it may have been delivered").isEqualTo(2);
    }

    @Test
    void countsFromAnEarlierOwnershipAreMergedIntoTheCommittedProgress() {
        // delivered here, then the partition was lost before any commit carried the counts
        PartitionProgress lost = new PartitionProgress(5);
        lost.recordDelivery(5);
        lost.recordDelivery(6);
        lost.recordDelivery(6);
        lost.recordDelivery(9);
        assertThat(lost.hasDeliveries()).isTrue();
        // what the group's commit says: 5 consumed since (by another member), 9 delivered three times there
        PartitionProgress committed = PartitionProgress.restore(6, "weir1:;d=9:3");
        committed.mergeDeliveries(lost);
        assertThat(committed.isDirty()).isTrue();
        assertThat(committed.deliveries(5)).as("consumed").isZero();
        assertThat(committed.recordDelivery(6)).isEqualTo(3);
        assertThat(committed.recordDelivery(9)).isEqualTo(4);
        assertThat(committed.recordDelivery(7)).isEqualTo(1);
        assertThat(new PartitionProgress(3).hasDeliveries()).isFalse();
    }

    @Test
    void oldMetadataWithoutAMarkStillRestores() {
        PartitionProgress r = PartitionProgress.restore(4, "weir1:6;d=4:2,5:1;x=future;s=abc");
        assertThat(r.recordDelivery(4)).isEqualTo(3);
        assertThat(r.recordDelivery(5)).isEqualTo(2);
        assertThat(r.recordDelivery(7)).isEqualTo(1);
        assertThat(r.signature()).isEqualTo("abc");
        assertThat(PartitionProgress.restore(4, "weir1:;h=notanumber").deliveries(4)).isZero();
    }
}
