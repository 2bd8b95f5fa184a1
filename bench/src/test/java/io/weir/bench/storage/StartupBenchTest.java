package io.weir.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The start-up driver in its tiny mode: the open with snapshots replays nothing, the one without replays every batch. */
class StartupBenchTest {

    @Test
    void tinyRunOpensWithAndWithoutSnapshots() {
        List<StartupBench.Open> opens = StartupBench.run(StartupBench.Settings.parse(
                new String[] {"mb=3", "segmentMiB=1", "batchBytes=4096", "producers=3", "rounds=1"}));
        assertThat(opens).hasSize(2);
        StartupBench.Open with = opens.get(0);
        StartupBench.Open without = opens.get(1);
        assertThat(with.withSnapshots()).isTrue();
        assertThat(with.segments()).isGreaterThanOrEqualTo(3);
        assertThat(with.load().replayedBatches()).isZero();
        assertThat(without.load().snapshotOffset()).isEqualTo(-1);
        assertThat(without.load().replayedBatches()).as("every batch of 3 MiB in 4 KiB batches").isGreaterThan(700);
    }
}
