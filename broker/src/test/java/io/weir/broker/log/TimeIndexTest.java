package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeIndexTest {
    @TempDir
    Path dir;

    @RepeatedTest(20)
    void lookupMatchesBruteForce(RepetitionInfo rep) {
        Random random = new Random(rep.getCurrentRepetition() * 31L);
        long base = 1000;
        List<TimestampOffset> entries = new ArrayList<>();
        try (TimeIndex index = new TimeIndex(dir.resolve("a.timeindex"), base, 64 * 1024)) {
            long ts = 1_600_000_000_000L;
            long offset = base;
            int n = random.nextInt(1500);
            for (int i = 0; i < n; i++) {
                ts += random.nextInt(3); // equal timestamps are skipped by the index
                offset += 1 + random.nextInt(10);
                if (index.maybeAppend(ts, offset)) {
                    entries.add(new TimestampOffset(ts, offset));
                }
            }
            for (int probe = 0; probe < 300; probe++) {
                long target = 1_600_000_000_000L - 5 + random.nextInt((int) (ts - 1_600_000_000_000L + 10));
                TimestampOffset expected = new TimestampOffset(RecordBatch.NO_TIMESTAMP, base);
                for (TimestampOffset e : entries) {
                    if (e.timestamp() <= target) {
                        expected = e;
                    }
                }
                assertThat(index.lookup(target)).isEqualTo(expected);
            }
            assertThat(index.sanityCheck(0)).isNull();
        }
    }

    @Test
    void onlyGrowingTimestampsAreIndexed() {
        try (TimeIndex index = new TimeIndex(dir.resolve("g.timeindex"), 0, 4096)) {
            assertThat(index.maybeAppend(100, 1)).isTrue();
            assertThat(index.maybeAppend(100, 2)).isFalse();
            assertThat(index.maybeAppend(90, 3)).isFalse();
            assertThat(index.maybeAppend(120, 1)).isFalse(); // offsets never go backwards
            assertThat(index.maybeAppend(120, 4)).isTrue();
            assertThat(index.lastEntry()).isEqualTo(new TimestampOffset(120, 4));
            index.truncateTo(4);
            assertThat(index.lastEntry()).isEqualTo(new TimestampOffset(100, 1));
        }
    }
}
