package io.weir.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void estimatesTheTimeLeftFromTheMeanRunSoFar() {
        AtomicLong now = new AtomicLong(1_000);
        Progress p = new Progress(10, now::get);

        now.addAndGet(90_000_000_000L); // 3 runs in 90 s: 30 s a run, 7 left
        assertThat(p.after(3)).isEqualTo("run 3/10, 1m30s elapsed, ~3m30s left");

        now.addAndGet(210_000_000_000L);
        assertThat(p.after(10)).isEqualTo("run 10/10, 5m00s elapsed, done");
        assertThat(p.after(0)).endsWith(", ?");
    }

    @Test
    void longDurationsAreShownInHours() {
        assertThat(Progress.duration(3_725_000_000_000L)).isEqualTo("1h02m");
        assertThat(Progress.duration(59_400_000_000L)).isEqualTo("59s");
    }
}
