package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.log.LeaderEpochCache.EpochEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {
    @TempDir
    Path dir;

    @Test
    void answersWhereEachEpochEnded() {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        assertThat(cache.latestEpoch()).isEqualTo(LeaderEpochCache.UNDEFINED_EPOCH);
        assertThat(cache.endOffsetFor(3, 10)).isEqualTo(new EpochEnd(-1, -1));
        cache.assign(1, 0);
        cache.assign(1, 5); // same epoch again: ignored
        cache.assign(4, 20);
        cache.assign(2, 30); // older epoch: ignored
        assertThat(cache.entries()).containsExactly(new EpochEnd(1, 0), new EpochEnd(4, 20));
        assertThat(cache.endOffsetFor(1, 99)).isEqualTo(new EpochEnd(1, 20));
        assertThat(cache.endOffsetFor(3, 99)).as("largest epoch not above").isEqualTo(new EpochEnd(1, 20));
        assertThat(cache.endOffsetFor(4, 99)).isEqualTo(new EpochEnd(4, 99));
        assertThat(cache.endOffsetFor(7, 99)).isEqualTo(new EpochEnd(4, 99));
        assertThat(cache.endOffsetFor(0, 99)).isEqualTo(new EpochEnd(-1, -1));
    }

    @Test
    void persistsAndIsTruncatedWithTheLog() throws Exception {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.assign(0, 0);
        cache.assign(2, 10);
        cache.assign(5, 25);
        assertThat(Files.readAllLines(dir.resolve(LeaderEpochCache.FILE_NAME))).containsExactly("0", "3", "0 0", "2 10", "5 25");
        cache.truncateFromEnd(25);
        assertThat(LeaderEpochCache.load(dir).entries()).containsExactly(new EpochEnd(0, 0), new EpochEnd(2, 10));
        cache.truncateFromEnd(3);
        assertThat(LeaderEpochCache.load(dir).entries()).containsExactly(new EpochEnd(0, 0));
        cache.clear();
        assertThat(LeaderEpochCache.load(dir).entries()).isEmpty();
    }

    @Test
    void aNewEpochStartingBelowOlderOnesReplacesThem() {
        LeaderEpochCache cache = LeaderEpochCache.inMemory();
        cache.assign(0, 0);
        cache.assign(2, 10);
        cache.assign(3, 10);
        assertThat(cache.entries()).containsExactly(new EpochEnd(0, 0), new EpochEnd(3, 10));
    }
}
