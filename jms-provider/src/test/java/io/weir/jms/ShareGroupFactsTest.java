package io.weir.jms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ShareGroupFactsTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final ShareGroupFacts facts = new ShareGroupFacts(now::get);

    @Test
    void aResolvedQueueModeIsTrustedForAWhilePerBootstrapAddress() {
        assertThat(facts.mode("a:9092")).isNull();
        facts.mode("a:9092", QueueMode.SHARE);
        assertThat(facts.mode("a:9092")).isEqualTo(QueueMode.SHARE);
        assertThat(facts.mode("b:9092")).isNull();
        now.addAndGet(ShareGroupFacts.TRUST_MS - 1);
        assertThat(facts.mode("a:9092")).isEqualTo(QueueMode.SHARE);
        now.addAndGet(1);
        assertThat(facts.mode("a:9092")).as("asked again after the trust period").isNull();
    }

    @Test
    void aPreparedGroupIsRememberedPerBrokersAndForgottenWhenSaid() {
        facts.prepared("a:9092", "jms-queue.q", true);
        assertThat(facts.prepared("a:9092", "jms-queue.q")).isTrue();
        assertThat(facts.prepared("a:9092", "jms-queue.r")).isFalse();
        assertThat(facts.prepared("b:9092", "jms-queue.q")).isFalse();
        facts.prepared("a:9092", "jms-queue.q", false);
        assertThat(facts.prepared("a:9092", "jms-queue.q")).isFalse();
        facts.prepared("a:9092", "jms-queue.q", true);
        now.addAndGet(ShareGroupFacts.TRUST_MS);
        assertThat(facts.prepared("a:9092", "jms-queue.q")).isFalse();
    }
}
