package io.weir.jms;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** When a connection sets a subscription group's first-rebalance delay, and when it stops asking. */
class SubscriptionGroupsTest {

    private final List<String> calls = new ArrayList<>();

    private SubscriptionGroups groups(Exception failure) {
        return new SubscriptionGroups((group, configs) -> {
            calls.add(group + " " + configs);
            if (failure != null) {
                throw failure;
            }
        });
    }

    @Test
    void setsTheDelayToZeroOncePerGroup() {
        SubscriptionGroups groups = groups(null);
        groups.prepare("client.sub");
        groups.prepare("client.sub");
        groups.prepare("jms-shared.other");
        assertThat(calls).containsExactly("client.sub " + Map.of(SubscriptionGroups.INITIAL_REBALANCE_DELAY, "0"),
                "jms-shared.other " + Map.of(SubscriptionGroups.INITIAL_REBALANCE_DELAY, "0"));
    }

    @Test
    void aDeletedGroupIsSetAgain() {
        SubscriptionGroups groups = groups(null);
        groups.prepare("g");
        groups.forget("g");
        groups.prepare("g");
        assertThat(calls).hasSize(2);
    }

    @Test
    void brokersThatRefuseTheKeyAreNotAskedAgainOnThisConnection() {
        // Apache Kafka: INVALID_CONFIG, unknown group config
        SubscriptionGroups groups = groups(new ExecutionException(new InvalidConfigurationException("Unknown group config")));
        groups.prepare("a");
        groups.prepare("b");
        groups.prepare("a");
        assertThat(calls).hasSize(1);
    }

    @Test
    void aGroupWeMayNotConfigureIsNotAskedAgainButOthersAre() {
        SubscriptionGroups groups = groups(new ExecutionException(new GroupAuthorizationException("no ALTER_CONFIGS")));
        groups.prepare("a");
        groups.prepare("a");
        groups.prepare("b");
        assertThat(calls).extracting(c -> c.split(" ")[0]).containsExactly("a", "b");
    }

    @Test
    void aTimeoutIsTriedAgainByTheNextConsumer() {
        SubscriptionGroups groups = groups(new TimeoutException());
        groups.prepare("a");
        groups.prepare("a");
        assertThat(calls).hasSize(2);
    }
}
