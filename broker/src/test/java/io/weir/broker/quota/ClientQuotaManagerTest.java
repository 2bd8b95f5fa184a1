package io.weir.broker.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientQuotaManagerTest {
    private static final String P = QuotaKeys.PRODUCER_BYTE_RATE;

    private final MockTime time = new MockTime();
    private final InMemoryQuotaStorage storage = new InMemoryQuotaStorage();
    private final ClientQuotas quotas = new ClientQuotas(storage);
    private final ClientQuotaManager produce = new ClientQuotaManager(quotas, P, time, 11, 1000);

    ClientQuotaManagerTest() {
        quotas.start();
    }

    @Test
    void withoutAQuotaNothingIsMeasuredOrThrottled() {
        quotas.alter(QuotaEntity.user("alice"), Map.of(QuotaKeys.CONSUMER_BYTE_RATE, 10.0), Set.of());
        assertThat(produce.enforced()).isFalse();
        assertThat(produce.recordAndThrottleMs("alice", "app", 1_000_000)).isZero();
        assertThat(produce.rate(QuotaEntity.user("alice"))).isZero();
    }

    @Test
    void overTheRateTheThrottleIsWhatBringsItBackToTheBound() {
        quotas.alter(QuotaEntity.client("app"), Map.of(P, 1000.0), Set.of());
        // 5,000 bytes over the minimum span of 10 windows: 500 B/s, within the bound
        assertThat(produce.recordAndThrottleMs("alice", "app", 5_000)).isZero();
        // 20,000 bytes in 10 s: 2,000 B/s, twice the bound: wait as long again as the span (10 s)
        assertThat(produce.recordAndThrottleMs("alice", "app", 15_000)).isEqualTo(10_000);
        assertThat(produce.rate(QuotaEntity.client("app"))).isEqualTo(2000.0);
        // once the windows have passed, the bytes are forgotten
        time.advance(11_000);
        assertThat(produce.recordAndThrottleMs("alice", "app", 100)).isZero();
        assertThat(produce.rate(QuotaEntity.client("app"))).isEqualTo(10.0);
    }

    @Test
    void theThrottleIsCappedAtTheMeasuredPeriod() {
        quotas.alter(QuotaEntity.client("app"), Map.of(P, 1.0), Set.of());
        assertThat(produce.recordAndThrottleMs("bob", "app", 1_000_000)).isEqualTo(11_000);
    }

    @Test
    void precedenceFollowsKafkaAndDefaultsMeasureEachNameAlone() {
        quotas.alter(QuotaEntity.client(QuotaEntity.DEFAULT), Map.of(P, 100.0), Set.of());
        assertThat(binding("u", "c")).isEqualTo(new QuotaSnapshot.Binding(QuotaEntity.client("c"), 100.0));
        quotas.alter(QuotaEntity.client("c"), Map.of(P, 200.0), Set.of());
        assertThat(binding("u", "c").bound()).isEqualTo(200.0);
        quotas.alter(QuotaEntity.user(QuotaEntity.DEFAULT), Map.of(P, 300.0), Set.of());
        assertThat(binding("u", "c")).isEqualTo(new QuotaSnapshot.Binding(QuotaEntity.user("u"), 300.0));
        quotas.alter(new QuotaEntity(QuotaEntity.DEFAULT, QuotaEntity.DEFAULT), Map.of(P, 400.0), Set.of());
        assertThat(binding("u", "c")).isEqualTo(new QuotaSnapshot.Binding(new QuotaEntity("u", "c"), 400.0));
        quotas.alter(new QuotaEntity(QuotaEntity.DEFAULT, "c"), Map.of(P, 500.0), Set.of());
        assertThat(binding("u", "c").bound()).isEqualTo(500.0);
        quotas.alter(QuotaEntity.user("u"), Map.of(P, 600.0), Set.of());
        assertThat(binding("u", "c")).isEqualTo(new QuotaSnapshot.Binding(QuotaEntity.user("u"), 600.0));
        quotas.alter(new QuotaEntity("u", QuotaEntity.DEFAULT), Map.of(P, 700.0), Set.of());
        assertThat(binding("u", "c").bound()).isEqualTo(700.0);
        quotas.alter(new QuotaEntity("u", "c"), Map.of(P, 800.0), Set.of());
        assertThat(binding("u", "c").bound()).isEqualTo(800.0);
        // another user falls back to the defaults that still apply to it
        assertThat(binding("v", "c").bound()).isEqualTo(500.0);
        assertThat(binding("v", "d").bound()).isEqualTo(400.0);
        // a quota on another key does not shadow this one
        quotas.alter(new QuotaEntity("u", "c"), Map.of(QuotaKeys.CONSUMER_BYTE_RATE, 1.0), Set.of(P));
        assertThat(binding("u", "c").bound()).isEqualTo(700.0);
    }

    @Test
    void aDefaultQuotaBindsEachUserSeparately() {
        quotas.alter(QuotaEntity.user(QuotaEntity.DEFAULT), Map.of(P, 1000.0), Set.of());
        assertThat(produce.recordAndThrottleMs("alice", "a", 20_000)).isPositive();
        assertThat(produce.recordAndThrottleMs("bob", "b", 5_000)).isZero();
        assertThat(produce.rate(QuotaEntity.user("bob"))).isEqualTo(500.0);
    }

    @Test
    void changesHeardFromOtherBrokersApplyAndOtherKeysOfTheUserAreKept() {
        storage.writeElsewhere(QuotaEntity.user("alice"), Map.of("SCRAM-SHA-256", "salt=x", P, "1000"));
        assertThat(quotas.snapshot().all()).containsEntry(QuotaEntity.user("alice"), Map.of(P, 1000.0));
        quotas.alter(QuotaEntity.user("alice"), Map.of(), Set.of(P));
        assertThat(storage.read(QuotaEntity.user("alice")).config()).isEqualTo(Map.of("SCRAM-SHA-256", "salt=x"));
        assertThat(quotas.snapshot().all()).isEmpty();
        assertThat(produce.enforced()).isFalse();
        quotas.alter(QuotaEntity.user("alice"), Map.of(P, 2048.0, QuotaKeys.REQUEST_PERCENTAGE, 12.5), Set.of());
        assertThat(storage.read(QuotaEntity.user("alice")).config())
                .containsEntry(P, "2048").containsEntry(QuotaKeys.REQUEST_PERCENTAGE, "12.5").containsKey("SCRAM-SHA-256");
    }

    @Test
    void keysAndValuesAreValidated() {
        assertThat(QuotaKeys.invalid("producer_byte_rate", 1024)).isNull();
        assertThat(QuotaKeys.invalid("request_percentage", 0.5)).isNull();
        assertThat(QuotaKeys.invalid("bogus_rate", 1)).contains("Unknown client quota key 'bogus_rate'");
        assertThat(QuotaKeys.invalid("consumer_byte_rate", -1)).contains("must be a positive number");
        assertThat(QuotaKeys.invalid("consumer_byte_rate", 0)).contains("must be a positive number");
        assertThat(QuotaKeys.invalid("producer_byte_rate", 10.5)).contains("whole number");
        assertThat(QuotaKeys.invalid("controller_mutation_rate", Double.NaN)).contains("positive");
    }

    @Test
    void windowSettingsAreKafkasAndBadOnesAreNamed() {
        ClientQuotaManager m = ClientQuotaManager.fromProperties(quotas, P, time, Map.of(ClientQuotaManager.WINDOW_NUM, "3",
                ClientQuotaManager.WINDOW_SIZE_SECONDS, "2"));
        quotas.alter(QuotaEntity.client("app"), Map.of(P, 1.0), Set.of());
        assertThat(m.recordAndThrottleMs("u", "app", 1_000_000)).isEqualTo(6_000);
        assertThatThrownBy(() -> ClientQuotaManager.fromProperties(quotas, P, time, Map.of(ClientQuotaManager.WINDOW_NUM, "x")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class).hasMessageContaining("quota.window.num");
        assertThatThrownBy(() -> ClientQuotaManager.fromProperties(quotas, P, time,
                Map.of(ClientQuotaManager.WINDOW_SIZE_SECONDS, "0"))).hasMessageContaining("quota.window.size.seconds");
    }

    @Test
    void windowedRateCountsAtLeastAllButOneWindowAndForgetsOldOnes() {
        WindowedRate rate = new WindowedRate(3, 1000);
        long t = 10_000;
        rate.record(600, t);
        assertThat(rate.spanMs(t)).isEqualTo(2000);
        assertThat(rate.perSecond(t)).isEqualTo(300.0);
        rate.record(600, t + 2500);
        assertThat(rate.spanMs(t + 2500)).isEqualTo(2500);
        assertThat(rate.perSecond(t + 2500)).isEqualTo(480.0);
        // the first window is older than 3 windows: only the second counts, over 0.5 s + 2 windows
        assertThat(rate.perSecond(t + 3000)).isEqualTo(240.0);
        assertThat(rate.perSecond(t + 6000)).isZero();
        assertThatThrownBy(() -> new WindowedRate(1, 1000)).isInstanceOf(IllegalArgumentException.class);
    }

    private QuotaSnapshot.Binding binding(String user, String client) {
        return quotas.snapshot().find(P, user, client);
    }
}
