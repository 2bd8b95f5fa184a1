package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import org.junit.jupiter.api.Test;

class ThrottlerTest {

    @Test
    void sleepsAsLongAsTheRateSaysTheBytesShouldHaveTaken() throws Exception {
        MockTime time = new MockTime();
        Throttler throttler = new Throttler(1000, time);
        assertThat(throttler.maybeThrottle(5000)).as("within the first check period: no verdict yet").isZero();
        time.advance(100);
        long slept = throttler.maybeThrottle(5000);
        // 10,000 bytes at 1,000 B/s take 10 s, of which 0.1 s passed
        assertThat(slept).isEqualTo(9_900);
        time.advance(20_000);
        assertThat(throttler.maybeThrottle(100)).as("well under the rate").isZero();
    }

    @Test
    void anUnlimitedRateNeverSleeps() throws Exception {
        MockTime time = new MockTime();
        Throttler throttler = new Throttler(Double.MAX_VALUE, time);
        time.advance(1000);
        assertThat(throttler.maybeThrottle(Long.MAX_VALUE / 2)).isZero();
    }
}
