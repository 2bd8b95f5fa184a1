package io.weir.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ReportSettingsTest {

    @Test
    void argumentsOverrideSystemPropertiesWhichOverrideDefaults() {
        Properties system = new Properties();
        system.setProperty("weir.bench.rounds", "5");
        system.setProperty("weir.bench.iterations", "7");

        ReportSettings s = ReportSettings.parse(new String[] {"rounds=1", "groups=append,read"}, system);

        assertThat(s.rounds()).isEqualTo(1);
        assertThat(s.iterations()).isEqualTo(7);
        assertThat(s.seconds()).isEqualTo(3);
        assertThat(s.runs("append")).isTrue();
        assertThat(s.runs("lookup")).isFalse();
        assertThat(s.asArguments()).contains("rounds=1", "iterations=7", "groups=append,read");
    }

    @Test
    void refusesUnknownKeysGroupsAndNonPositiveCounts() {
        Properties none = new Properties();
        assertThatThrownBy(() -> ReportSettings.parse(new String[] {"round=1"}, none)).hasMessageContaining("round=1");
        assertThatThrownBy(() -> ReportSettings.parse(new String[] {"groups=append,fsync"}, none)).hasMessageContaining("fsync");
        assertThatThrownBy(() -> ReportSettings.parse(new String[] {"forks=0"}, none)).hasMessageContaining("forks");
        assertThatThrownBy(() -> ReportSettings.parse(new String[] {"buffer=offheap"}, none)).hasMessageContaining("offheap");
    }

    @Test
    void defaultPlanStaysUnderTheWriteLimit() {
        ReportSettings s = ReportSettings.parse(new String[0], new Properties());
        StoragePlan plan = new StoragePlan(s);

        assertThat(plan.estimatedWriteBytes() / (1024.0 * 1024 * 1024)).isLessThan(s.maxWriteGiB());
        assertThat(plan.comparisons()).hasSize(8);
        // odd rounds run in reverse so that neither side of a comparison always goes first
        List<BenchRun> reversed = new ArrayList<>(plan.runs(0));
        Collections.reverse(reversed);
        assertThat(plan.runs(1)).containsExactlyElementsOf(reversed);
    }
}
