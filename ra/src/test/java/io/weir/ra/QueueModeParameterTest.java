package io.weir.ra;

import io.weir.jms.QueueMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How the adapter's provider factories read queues: the provider's default mode (share groups where the brokers serve
 * them), classic through {@code connectionParameters}; the provider's share-mode redelivery limit is off (the
 * activation spec's governs) and a share fetch takes one record, unless {@code connectionParameters} set them.
 */
class QueueModeParameterTest {

    @Test
    void queuesUseTheProvidersDefaultMode() {
        ProviderSettings s = new ProviderSettings("h:1", null, null);
        assertThat(s.connectionFactory().getQueueMode()).isEqualTo(QueueMode.DEFAULT);
        assertThat(s.xaConnectionFactory("rm-mode").getQueueMode()).isEqualTo(QueueMode.DEFAULT);
        assertThat(s.connectionFactory().getMaxDeliveryAttempts()).isZero();
        assertThat(s.connectionFactory().getKafkaProperties()).containsEntry("max.poll.records", "1");
    }

    @Test
    void connectionParametersChooseClassicOrALimit() {
        ProviderSettings s = new ProviderSettings("h:1", null, "queueMode=classic; maxDeliveryAttempts=3");
        assertThat(s.connectionFactory().getQueueMode()).isEqualTo(QueueMode.CLASSIC);
        assertThat(s.xaConnectionFactory("rm-mode").getQueueMode()).isEqualTo(QueueMode.CLASSIC);
        assertThat(s.connectionFactory().getMaxDeliveryAttempts()).isEqualTo(3);
        assertThat(new ProviderSettings("h:1", null, "max.poll.records=50").connectionFactory().getKafkaProperties())
                .containsEntry("max.poll.records", "50");
        assertThat(new ProviderSettings("h:1", null, "queueMode=share").connectionFactory().getQueueMode())
                .isEqualTo(QueueMode.SHARE);
    }

    @Test
    void anUnknownModeIsRefusedByName() {
        assertThatThrownBy(() -> new ProviderSettings("h:1", null, "queueMode=fifo").connectionFactory())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectionParameters: queueMode=fifo: queueMode must be 'classic', 'share' or 'auto'");
    }
}
