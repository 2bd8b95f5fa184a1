package io.weir.ra;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The provider's {@code connectTimeoutMs} set through the adapter's {@code connectionParameters}. */
class ConnectTimeoutParameterTest {

    @Test
    void connectionParametersCarryIt() {
        assertThat(new ProviderSettings("h:1", null, null).connectionFactory().getConnectTimeoutMs()).isEqualTo(15_000L);
        ProviderSettings s = new ProviderSettings("h:1", null, "sendTimeoutMs=1000; connectTimeoutMs=60000");
        assertThat(s.connectionFactory().getConnectTimeoutMs()).isEqualTo(60_000L);
        assertThat(s.xaConnectionFactory("rm-timeout").getConnectTimeoutMs()).isEqualTo(60_000L);
    }

    @Test
    void aWrongValueIsRefusedByName() {
        assertThatThrownBy(() -> new ProviderSettings("h:1", null, "connectTimeoutMs=-1").connectionFactory())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectionParameters: connectTimeoutMs=-1: connectTimeoutMs must be > 0");
        assertThatThrownBy(() -> new ProviderSettings("h:1", null, "connectTimeoutMs=a minute").connectionFactory())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeoutMs must be a whole number of milliseconds, not 'a minute'");
    }
}
