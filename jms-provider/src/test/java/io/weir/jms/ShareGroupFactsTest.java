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

    @Test
    void anExistingTopicAndTheBrokersQueueDefaultsAreTrustedForAWhileAndATopicForgottenWhenDeleted() {
        facts.topicExists("a:9092", "orders", true);
        assertThat(facts.topicExists("a:9092", "orders")).isTrue();
        assertThat(facts.topicExists("a:9092", "invoices")).isFalse();
        assertThat(facts.topicExists("b:9092", "orders")).as("other brokers").isFalse();
        facts.topicExists("a:9092", "orders", false);
        assertThat(facts.topicExists("a:9092", "orders")).as("deleted through this factory").isFalse();
        facts.topicExists("a:9092", "orders", true);
        facts.queueDefaults("a:9092", true);
        assertThat(facts.queueDefaults("a:9092")).isTrue();
        assertThat(facts.queueDefaults("b:9092")).isFalse();
        now.addAndGet(ShareGroupFacts.TRUST_MS);
        assertThat(facts.topicExists("a:9092", "orders")).as("asked again after the trust period").isFalse();
        assertThat(facts.queueDefaults("a:9092")).isFalse();
    }
}
