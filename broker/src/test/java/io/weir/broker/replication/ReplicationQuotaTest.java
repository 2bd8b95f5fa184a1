package io.weir.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReplicationQuotaTest {
    private static final TopicPartition MOVING = new TopicPartition("orders", 1);
    private static final TopicPartition STAYING = new TopicPartition("orders", 0);

    @Test
    void withoutARateNothingIsThrottled() {
        ReplicationQuota quota = new ReplicationQuota(new MockTime());
        quota.setThrottledPartitions(tp -> true);
        quota.record(1L << 30);
        assertThat(quota.isThrottled(MOVING)).isFalse();
        assertThat(quota.isQuotaExceeded()).isFalse();
    }

    @Test
    void theRateIsMeasuredOverTenSecondsAtLeastAndForgetsOlderTraffic() {
        MockTime time = new MockTime();
        ReplicationQuota quota = new ReplicationQuota(time);
        quota.setRate(1000);
        quota.setThrottledPartitions(MOVING::equals);
        assertThat(quota.isThrottled(MOVING)).isTrue();
        assertThat(quota.isThrottled(STAYING)).isFalse();

        quota.record(9_000); // 9,000 bytes over at least 10 s: 900 B/s
        assertThat(quota.isQuotaExceeded()).isFalse();
        quota.record(2_000); // 1,100 B/s
        assertThat(quota.isQuotaExceeded()).isTrue();
        assertThat(quota.throttledTimes()).isEqualTo(1);
        time.sleep(12_000); // outside the windows
        assertThat(quota.isQuotaExceeded()).isFalse();

        for (int s = 0; s < 20; s++) { // a steady 1,500 B/s
            quota.record(1_500);
            time.sleep(1_000);
        }
        assertThat(quota.isQuotaExceeded()).isTrue();
        quota.setRate(2_000);
        assertThat(quota.isQuotaExceeded()).isFalse();
    }

    @Test
    void throttledReplicasSettingsNamePartitionBrokerPairsOrEverything() {
        assertThat(ReplicationQuota.names("0:1,1:2 , 2:3", 1, 2)).isTrue();
        assertThat(ReplicationQuota.names("0:1,1:2,2:3", 1, 3)).isFalse();
        assertThat(ReplicationQuota.names("*", 7, 9)).isTrue();
        assertThat(ReplicationQuota.names("", 0, 1)).isFalse();
        assertThat(ReplicationQuota.names(null, 0, 1)).isFalse();
        ReplicationQuota.validate("0:1,1:2");
        ReplicationQuota.validate("*");
        assertThatThrownBy(() -> ReplicationQuota.validate("0:1,banana")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("banana");
        assertThatThrownBy(() -> ReplicationQuota.validate("0:-1")).isInstanceOf(IllegalArgumentException.class);
    }
}
