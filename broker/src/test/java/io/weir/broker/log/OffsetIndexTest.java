package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {
    @TempDir
    Path dir;

    /** Random strictly increasing entries; every lookup must equal a brute-force floor search. */
    @RepeatedTest(25)
    void lookupMatchesBruteForceFloor(RepetitionInfo rep) {
        Random random = new Random(rep.getCurrentRepetition() * 7919L);
        long base = random.nextInt(1_000_000);
        List<OffsetPosition> entries = new ArrayList<>();
        try (OffsetIndex index = new OffsetIndex(dir.resolve("a.index"), base, 64 * 1024)) {
            long offset = base;
            int position = 0;
            int n = random.nextInt(2000);
            for (int i = 0; i < n; i++) {
                offset += 1 + random.nextInt(50);
                position += 1 + random.nextInt(5000);
                index.append(offset, position);
                entries.add(new OffsetPosition(offset, position));
            }
            for (int probe = 0; probe < 500; probe++) {
                long target = base + random.nextInt((int) (offset - base + 100));
                assertThat(index.lookup(target)).isEqualTo(bruteForce(entries, base, target));
            }
            assertThat(index.lookup(base - 1)).isEqualTo(new OffsetPosition(base, 0));
            assertThat(index.sanityCheck(Integer.MAX_VALUE)).isNull();
        }
    }

    private static OffsetPosition bruteForce(List<OffsetPosition> entries, long base, long target) {
        OffsetPosition best = new OffsetPosition(base, 0);
        for (OffsetPosition e : entries) {
            if (e.offset() <= target) {
                best = e;
            }
        }
        return best;
    }

    @RepeatedTest(10)
    void truncateKeepsOnlyEntriesBelowTheOffset(RepetitionInfo rep) {
        Random random = new Random(rep.getCurrentRepetition());
        try (OffsetIndex index = new OffsetIndex(dir.resolve("t.index"), 100, 8192)) {
            List<OffsetPosition> entries = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                index.append(101 + i * 3L, (i + 1) * 10);
                entries.add(new OffsetPosition(101 + i * 3L, (i + 1) * 10));
            }
            long cut = 100 + random.nextInt(1000);
            index.truncateTo(cut);
            long kept = entries.stream().filter(e -> e.offset() < cut).count();
            assertThat(index.entries()).isEqualTo(kept);
            assertThat(index.lookup(Long.MAX_VALUE)).isEqualTo(kept == 0 ? new OffsetPosition(100, 0) : entries.get((int) kept - 1));
            // appends continue after a truncation
            long next = kept == 0 ? 101 : entries.get((int) kept - 1).offset() + 1;
            index.append(Math.max(next, cut), 1_000_000);
            assertThat(index.lastEntry().position()).isEqualTo(1_000_000);
        }
    }

    @Test
    void trimmedIndexReopensWithItsEntries() {
        Path file = dir.resolve("r.index");
        try (OffsetIndex index = new OffsetIndex(file, 0, 8192)) {
            for (int i = 1; i <= 10; i++) {
                index.append(i * 10L, i * 100);
            }
        }
        assertThat(file).hasSize(10L * OffsetIndex.ENTRY_SIZE);
        try (OffsetIndex index = new OffsetIndex(file, 0, 8192)) {
            assertThat(index.entries()).isEqualTo(10);
            assertThat(index.lookup(55)).isEqualTo(new OffsetPosition(50, 500));
            assertThat(index.isFull()).isFalse();
            index.append(110, 1100);
            assertThat(index.entries()).isEqualTo(11);
        }
    }

    @Test
    void fullIndexRefusesAppendsAndSaysSo() {
        try (OffsetIndex index = new OffsetIndex(dir.resolve("f.index"), 0, 4096)) {
            int capacity = 4096 / OffsetIndex.ENTRY_SIZE;
            for (int i = 1; i <= capacity; i++) {
                index.append(i, i);
            }
            assertThat(index.isFull()).isTrue();
            assertThatThrownBy(() -> index.append(capacity + 1, capacity + 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("f.index");
        }
    }

    @Test
    void outOfOrderAppendIsRefused() {
        try (OffsetIndex index = new OffsetIndex(dir.resolve("o.index"), 0, 4096)) {
            index.append(10, 100);
            assertThatThrownBy(() -> index.append(10, 200)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.append(11, 100)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sanityCheckFindsZeroFilledTailAndEntriesBeyondTheLog() throws Exception {
        Path file = dir.resolve("z.index");
        try (OffsetIndex index = new OffsetIndex(file, 0, 4096)) {
            index.append(5, 100);
            index.append(9, 300);
        }
        // a crash leaves the preallocated, zero-filled file behind
        Files.write(file, new byte[4096]);
        try (OffsetIndex index = new OffsetIndex(file, 0, 4096)) {
            assertThat(index.sanityCheck(1000)).contains("not after");
        }
        Files.delete(file);
        try (OffsetIndex index = new OffsetIndex(file, 0, 4096)) {
            index.append(5, 100);
            index.append(9, 3000);
            assertThat(index.sanityCheck(1000)).contains("beyond the log size");
            assertThat(index.sanityCheck(5000)).isNull();
        }
    }
}
