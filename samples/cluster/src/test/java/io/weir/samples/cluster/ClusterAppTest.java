package io.weir.samples.cluster;

import io.weir.jms.QueueMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterAppTest {

    /**
     * The sample with 300 messages: the leader's JVM is SIGKILLed after 150 sends, another broker takes over, and
     * every message sent arrives, none that was acknowledged comes twice (a redelivery of an unacknowledged
     * message, flagged JMSRedelivered, is allowed and only reported).
     */
    @Test
    void killingTheLeaderLosesNothingAndDuplicatesNothingAcknowledged() throws Exception {
        Progress progress = new Progress();
        try (BrokerProcesses cluster = BrokerProcesses.start(3, Duration.ofMinutes(3))) {
            progress.say("cluster up");
            FailoverReport report = ClusterApp.run(cluster, 300, QueueMode.DEFAULT, Duration.ofMinutes(3), progress);
            System.out.println(report.describe());
            assertThat(report.sent()).as("sends the cluster acknowledged").isEqualTo(300);
            assertThat(report.newLeader()).as("a new leader").isNotIn(-1, report.killedBroker());
            assertThat(report.missing()).as("missing").isEmpty();
            assertThat(report.distinctReceived()).isEqualTo(300);
            assertThat(report.duplicatesOfAcknowledged()).as("acknowledged messages delivered again").isEmpty();
            assertThat(report.unflaggedDuplicates()).as("messages delivered again without JMSRedelivered").isEmpty();
            assertThat(report.nothingLostOrDuplicated()).isTrue();
        }
    }
}
