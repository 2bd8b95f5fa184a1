package io.weir.samples.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryTallyTest {

    @Test
    void sortsDeliveriesIntoRedeliveriesAndDuplicates() {
        DeliveryTally tally = new DeliveryTally();
        tally.received(0, false);
        tally.received(1, false);
        tally.acknowledged();
        tally.received(2, false);
        tally.acknowledgeFailed(); // 2 may come again
        tally.received(2, true);   // allowed: its acknowledgement failed
        tally.received(3, false);
        tally.received(3, true);   // allowed: never acknowledged
        tally.received(1, true);   // not allowed: acknowledged
        tally.received(3, false);  // not allowed: again, unflagged
        tally.received(4, true);   // allowed: the broker counted a delivery that never reached the application

        assertThat(tally.distinctCount()).isEqualTo(5);
        assertThat(tally.redelivered()).containsExactly(2, 3);
        assertThat(tally.flaggedAtFirstDelivery()).containsExactly(4);
        assertThat(tally.duplicatesOfAcknowledged()).containsExactly(1);
        assertThat(tally.unflaggedDuplicates()).containsExactly(3);
        assertThat(tally.failedAcknowledgements()).isEqualTo(1);
        assertThat(tally.missing(7)).isEqualTo(List.of(5, 6));
        assertThat(tally.hasUnacknowledged()).isTrue();
    }

    @Test
    void measuresTheLongestGapFromTheLastEventBeforeTheKill() {
        FlowTimeline timeline = new FlowTimeline();
        long ms = 1_000_000;
        timeline.record(0);
        timeline.record(5_000 * ms); // a long gap before the kill does not count
        timeline.record(5_010 * ms);
        timeline.record(7_010 * ms); // the kill was at 6_000: 2 s pause
        timeline.record(7_020 * ms);
        assertThat(timeline.longestGapAfterMs(6_000 * ms)).isEqualTo(2_000);
    }
}
