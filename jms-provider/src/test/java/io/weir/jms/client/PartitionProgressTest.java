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
}
