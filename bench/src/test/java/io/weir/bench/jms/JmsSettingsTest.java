package io.weir.bench.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JmsSettingsTest {

    @Test
    void quickOnlyChangesTheDefaultsAndOptionsOverrideThem() {
        JmsSettings full = JmsSettings.parse(new String[] {"--repo=/r"});
        JmsSettings quick = JmsSettings.parse(new String[] {"--repo=/r", "--quick", "--requests=7"});

        assertThat(full.queueMessages()).isGreaterThan(quick.queueMessages());
        assertThat(quick.requests()).isEqualTo(7);
        assertThat(quick.quick()).isTrue();
        assertThat(full.aa()).isTrue();
        assertThat(full.weirConfig()).isEqualTo(java.nio.file.Path.of("/r/config/server.properties"));
        assertThat(full.workloads()).isEqualTo(RunPlan.WORKLOAD_IDS);
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> JmsSettings.parse(new String[] {"--quick"})).hasMessageContaining("missing --repo=");
        assertThatThrownBy(() -> JmsSettings.parse(new String[] {"--repo=/r", "--rounds=0"}))
                .hasMessageContaining("--rounds must be a positive integer, got 0");
        assertThatThrownBy(() -> JmsSettings.parse(new String[] {"--repo=/r", "--requests=many"}))
                .hasMessageContaining("--requests must be a positive integer, got 'many'");
        assertThatThrownBy(() -> JmsSettings.parse(new String[] {"--repo=/r", "--sizes=1"})).hasMessageContaining("unknown option(s) [sizes]");
        assertThatThrownBy(() -> JmsSettings.parse(new String[] {"--repo=/r", "rounds"})).hasMessageContaining("expected --key=value");
        assertThatThrownBy(() -> JmsSettings.parse(new String[] {"--repo=/r", "--workloads=queue1,queue9"}))
                .hasMessageContaining("unknown workload 'queue9'");
    }
}
