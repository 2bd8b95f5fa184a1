package io.weir.broker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FetchSessionCacheTest {
    private static final long EVICTION_MS = 1_000;
    private final MockTime time = new MockTime();

    private static IntSupplier sequence(int... ids) {
        PrimitiveIterator.OfInt it = IntStream.of(ids).iterator();
        return it::nextInt;
    }

    private static IntSupplier counting() {
        int[] next = {0};
        return () -> ++next[0];
    }

    private static List<FetchSession.CachedPartition> partitions(int n) {
        List<FetchSession.CachedPartition> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new FetchSession.CachedPartition(FetchSession.Key.byName("t", i), 0, 1024, -1, -1, -1));
        }
        return out;
    }

    @Test
    void createsSessionsWithFreshNonZeroIdsAndCountsPartitions() {
        FetchSessionCache cache = new FetchSessionCache(10, EVICTION_MS, time, sequence(0, -5, 7, 7, 9));
        FetchSession a = cache.create(false, false, partitions(3));
        FetchSession b = cache.create(true, true, partitions(2));
        assertThat(a.id).isEqualTo(7);
        assertThat(b.id).as("0, negative ids and ids in use are skipped").isEqualTo(9);
        assertThat(a.epoch()).as("the first incremental request carries epoch 1").isEqualTo(1);
        assertThat(cache.get(7)).isSameAs(a);
        assertThat(cache.sessionCount()).isEqualTo(2);
        assertThat(cache.partitionsCached()).isEqualTo(5);
        assertThat(cache.sessionsCreated()).isEqualTo(2);
        assertThat(cache.remove(7)).isTrue();
        assertThat(cache.remove(7)).isFalse();
        assertThat(cache.get(7)).isNull();
        assertThat(cache.partitionsCached()).isEqualTo(2);
    }

    @Test
    void touchTakesTheNewSizeAndCountsIncrementalFetches() {
        FetchSessionCache cache = new FetchSessionCache(10, EVICTION_MS, time, counting());
        FetchSession s = cache.create(false, false, partitions(3));
        s.upsert(FetchSession.Key.byName("u", 0), 5, 100, -1, -1, -1);
        cache.touch(s, s.size());
        assertThat(cache.partitionsCached()).isEqualTo(4);
        assertThat(cache.incrementalFetches()).isEqualTo(1);
        cache.remove(s.id);
        cache.touch(s, 9); // a session evicted meanwhile is not counted again
        assertThat(cache.partitionsCached()).isZero();
    }

    @Test
    void noSlotsMeansNoSessions() {
        FetchSessionCache cache = new FetchSessionCache(0, EVICTION_MS, time, counting());
        assertThat(cache.create(true, false, partitions(5))).isNull();
        assertThatThrownBy(() -> new FetchSessionCache(-1, EVICTION_MS, time, counting()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFullCacheRefusesAnEqualNewcomerWhileEveryoneIsYoung() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, time, counting());
        cache.create(false, false, partitions(2));
        cache.create(false, false, partitions(2));
        time.advance(EVICTION_MS); // not yet older than the eviction time
        assertThat(cache.create(false, false, partitions(5))).as("young sessions are safe from consumers").isNull();
        assertThat(cache.sessionCount()).isEqualTo(2);
        assertThat(cache.evictions()).isZero();
    }

    @Test
    void aStaleSessionIsEvictedFirst() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, time, counting());
        FetchSession stale = cache.create(true, false, partitions(100));
        time.advance(10);
        FetchSession used = cache.create(false, false, partitions(1));
        time.advance(EVICTION_MS);
        cache.touch(used, 1);
        FetchSession small = cache.create(false, false, partitions(1));
        assertThat(small).as("the least recently used session was unused longer than the eviction time").isNotNull();
        assertThat(cache.get(stale.id)).isNull();
        assertThat(cache.get(used.id)).isSameAs(used);
        assertThat(cache.evictions()).isEqualTo(1);
        assertThat(cache.partitionsCached()).isEqualTo(2);
    }

    @Test
    void aFollowerEvictsAYoungConsumerSessionButNotAYoungFollowerSession() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, time, counting());
        FetchSession follower = cache.create(true, false, partitions(1));
        FetchSession consumer = cache.create(false, false, partitions(50));
        FetchSession newFollower = cache.create(true, false, partitions(1));
        assertThat(newFollower).isNotNull();
        assertThat(cache.get(consumer.id)).as("a consumer's session gives way to a follower's at any age").isNull();
        assertThat(cache.get(follower.id)).isSameAs(follower);
        assertThat(cache.create(true, false, partitions(1000))).as("young follower sessions stay").isNull();
    }

    @Test
    void anOldSessionGivesWayOnlyToAMoreValuableOne() {
        FetchSessionCache cache = new FetchSessionCache(2, EVICTION_MS, time, counting());
        FetchSession small = cache.create(false, false, partitions(2));
        FetchSession large = cache.create(false, false, partitions(10));
        time.advance(EVICTION_MS + 1);
        cache.touch(small, 2);
        cache.touch(large, 10); // both used: none is stale, both are old enough to be evicted
        assertThat(cache.create(false, false, partitions(2))).as("an equal newcomer does not evict").isNull();
        FetchSession bigger = cache.create(false, false, partitions(3));
        assertThat(bigger).isNotNull();
        assertThat(cache.get(small.id)).as("the least valuable goes").isNull();
        assertThat(cache.get(large.id)).isSameAs(large);
    }

    @Test
    void amongEqualSessionsTheLeastRecentlyUsedIsEvicted() {
        FetchSessionCache cache = new FetchSessionCache(3, EVICTION_MS, time, counting());
        FetchSession a = cache.create(false, false, partitions(2));
        FetchSession b = cache.create(false, false, partitions(2));
        FetchSession c = cache.create(false, false, partitions(2));
        time.advance(EVICTION_MS + 1);
        cache.touch(b, 2);
        time.advance(1);
        cache.touch(a, 2);
        time.advance(1);
        cache.touch(c, 2);
        assertThat(cache.create(true, false, partitions(1))).isNotNull();
        assertThat(cache.get(b.id)).isNull();
        assertThat(cache.get(a.id)).isSameAs(a);
        assertThat(cache.get(c.id)).isSameAs(c);
    }

    @Test
    void aConsumerNeverEvictsAFollowerSessionOfTheSameAgeRules() {
        FetchSessionCache cache = new FetchSessionCache(1, EVICTION_MS, time, counting());
        FetchSession follower = cache.create(true, false, partitions(1));
        time.advance(EVICTION_MS + 1);
        cache.touch(follower, 1);
        assertThat(cache.create(false, false, partitions(500))).as("followers are worth more than any consumer").isNull();
        assertThat(cache.get(follower.id)).isSameAs(follower);
    }
}
