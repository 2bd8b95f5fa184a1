package io.weir.bench.sbs;

import static io.weir.bench.sbs.FailoverStats.NOT_ACKED;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailoverStatsTest {
    private static final long MS = 1_000_000L;
    private static final long KILL = 10_000 * MS;

    @Test
    void failoverIsFromTheKillToTheFirstAckOfARecordSentAfterIt() {
        // sent before the kill, acked after it (in flight): does not end the failover
        long[] send = {KILL - 500 * MS, KILL - 10 * MS, KILL + 100 * MS, KILL + 200 * MS};
        long[] ack = {KILL - 490 * MS, KILL + 6_000 * MS, KILL + 6_300 * MS, KILL + 6_250 * MS};
        FailoverStats s = FailoverStats.of(send, ack, 4, KILL, KILL + 7_000 * MS);
        assertThat(s.acked()).isEqualTo(4);
        assertThat(s.failoverNanos()).isEqualTo(6_250 * MS);
        assertThat(s.stallNanos()).as("kill -> first ack after it").isEqualTo(6_000 * MS);
        assertThat(s.maxAckNanos()).isEqualTo(6_200 * MS);
    }

    @Test
    void silenceUntilTheEndIsAStallAndNoAckAfterTheKillIsNoFailover() {
        long[] send = {KILL - 100 * MS, KILL + 100 * MS};
        long[] ack = {KILL - 90 * MS, NOT_ACKED};
        FailoverStats s = FailoverStats.of(send, ack, 2, KILL, KILL + 20_000 * MS);
        assertThat(s.acked()).isEqualTo(1);
        assertThat(s.failoverNanos()).isEqualTo(-1);
        assertThat(s.stallNanos()).isEqualTo(20_000 * MS);
    }

    @Test
    void maxAckCountsOnlyRecordsSentFromTwoSecondsBeforeTheKill() {
        long[] send = {KILL - 3_000 * MS, KILL - 1_000 * MS};
        long[] ack = {KILL - 1_000 * MS, KILL - 900 * MS};
        FailoverStats s = FailoverStats.of(send, ack, 2, KILL, KILL);
        assertThat(s.maxAckNanos()).isEqualTo(100 * MS);
    }

    @Test
    void verifyFindsLostDuplicatedReorderedAndUnknownRecords() {
        long[] ack = {1, 1, 1, 1, NOT_ACKED};
        FailoverStats.Verdict clean = FailoverStats.verify(new long[] {0, 1, 2, 3}, 4, ack, 5);
        assertThat(clean.ok()).isTrue();
        assertThat(clean.toString()).contains("0 of 4 acknowledged lost").endsWith("ok");

        FailoverStats.Verdict unackedPresent = FailoverStats.verify(new long[] {0, 1, 2, 3, 4}, 5, ack, 5);
        assertThat(unackedPresent.ok()).as("an unacknowledged write may be present").isTrue();
        assertThat(unackedPresent.unackedPresent()).isEqualTo(1);

        FailoverStats.Verdict lost = FailoverStats.verify(new long[] {0, 1, 3}, 3, ack, 5);
        assertThat(lost.lost()).isEqualTo(1);
        assertThat(lost.ok()).isFalse();
        assertThat(lost.toString()).contains("ACKNOWLEDGED WRITES DAMAGED");

        FailoverStats.Verdict dup = FailoverStats.verify(new long[] {0, 1, 2, 2, 3}, 5, ack, 5);
        assertThat(dup.duplicated()).isEqualTo(1);
        assertThat(dup.outOfOrder()).isEqualTo(1);
        assertThat(dup.ok()).isFalse();

        FailoverStats.Verdict reordered = FailoverStats.verify(new long[] {0, 2, 1, 3}, 4, ack, 5);
        assertThat(reordered.outOfOrder()).isEqualTo(1);
        assertThat(reordered.lost()).isZero();
        assertThat(reordered.ok()).isFalse();

        FailoverStats.Verdict foreign = FailoverStats.verify(new long[] {0, 1, 2, 3, 99}, 5, ack, 5);
        assertThat(foreign.foreign()).isEqualTo(1);
        assertThat(foreign.ok()).isFalse();
    }
}
