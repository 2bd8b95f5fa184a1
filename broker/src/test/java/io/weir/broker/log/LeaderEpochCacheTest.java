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
        assertThat(cache.endOffsetFor(0, 99)).as("older than every epoch").isEqualTo(new EpochEnd(0, 0));
        assertThat(cache.endOffsetFor(LeaderEpochCache.UNDEFINED_EPOCH, 99)).isEqualTo(new EpochEnd(-1, -1));
    }

    /**
     * A log whose known history begins after the asked epoch (here a replica elected uncleanly, whose
     * first epoch is 3 at offset 10) answers the asked epoch itself, ending where its own history
     * begins: whatever the asker wrote in epoch 1 can only be shared below offset 10. Answering
     * "unknown" made the asker fall back to its high watermark and keep records this log never had.
     */
    @Test
    void anEpochOlderThanEveryKnownOneEndsWhereTheKnownHistoryBegins() {
        LeaderEpochCache cache = LeaderEpochCache.inMemory();
        cache.assign(3, 10);
        cache.assign(5, 20);
        assertThat(cache.endOffsetFor(1, 30)).isEqualTo(new EpochEnd(1, 10));
        assertThat(cache.endOffsetFor(2, 30)).isEqualTo(new EpochEnd(2, 10));
        assertThat(cache.endOffsetFor(3, 30)).isEqualTo(new EpochEnd(3, 20));
        assertThat(LeaderEpochCache.inMemory().endOffsetFor(1, 30)).as("no epochs at all")
                .isEqualTo(new EpochEnd(LeaderEpochCache.UNDEFINED_EPOCH, LeaderEpochCache.UNDEFINED_OFFSET));
    }

    @Test
    void aNewLogStartDropsTheEpochsBeforeItAndStartsTheOneHoldingIt() throws Exception {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.assign(1, 0);
        cache.assign(3, 20);
        cache.assign(5, 40);
        cache.truncateFromStart(0);
        assertThat(cache.entries()).containsExactly(new EpochEnd(1, 0), new EpochEnd(3, 20), new EpochEnd(5, 40));
        cache.truncateFromStart(25);
        assertThat(cache.entries()).containsExactly(new EpochEnd(3, 25), new EpochEnd(5, 40));
        assertThat(cache.endOffsetFor(1, 99)).as("older than the log start").isEqualTo(new EpochEnd(1, 25));
        cache.truncateFromStart(60);
        assertThat(cache.entries()).as("the latest epoch stays").containsExactly(new EpochEnd(5, 60));
        assertThat(LeaderEpochCache.load(dir).entries()).as("persisted").containsExactly(new EpochEnd(5, 60));
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
