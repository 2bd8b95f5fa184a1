package io.weir.ra.it.payara;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.ra.it.app.Forwarder;
import io.weir.ra.it.redeploy.RedeployQueueMdb;
import io.weir.ra.it.redeploy.RedeployTopicMdb;
import io.weir.ra.it.support.BrokerClient;
import io.weir.ra.it.support.Destinations;
import io.weir.ra.it.support.WeirBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ra-it's {@code RedeployIT} in Payara: undeploying an application while its MDBs (a queue, maxSession 2, and a durable
 * topic subscription) have messages in flight, sending more while it is gone and deploying it again loses nothing and
 * duplicates nothing: every message is forwarded exactly once. The same across a restart of the whole domain
 * ({@code asadmin restart-domain}: a new server JVM, the adapter and the application deployed again from the
 * domain's configuration), which is more than WildFly's in-JVM {@code :reload}.
 */
@ExtendWith({WeirBroker.class, PayaraDomain.class, ArquillianExtension.class})
@RunAsClient
class PayaraRedeployIT {

    private static final String APP = "redeploy";
    private static final int PER_PHASE = 20;

    @Deployment(name = APP, managed = false, testable = false)
    static WebArchive app() {
        return ShrinkWrap.create(WebArchive.class, "weir-it-redeploy.war")
                .addClasses(Destinations.class, Forwarder.class, RedeployQueueMdb.class, RedeployTopicMdb.class)
                .addAsWebInfResource(PayaraDescriptors.forwarderOnPayaraFactory(), "ejb-jar.xml")
                .addAsWebInfResource(PayaraDescriptors.onWeirAdapter(RedeployQueueMdb.class, RedeployTopicMdb.class),
                        "glassfish-ejb-jar.xml");
    }

    @ArquillianResource
    private Deployer deployer;

    private final BrokerClient broker = new BrokerClient(WeirBroker.bootstrapServers());

    @Test
    void undeployAndRedeployLoseNothing() throws Exception {
        deployer.deploy(APP);
        boolean deployed = true;
        try {
            awaitConsumers();
            List<String> first = texts("queue-a", PER_PHASE);
            broker.send(Destinations.REDEPLOY_QUEUE, false, first);
            List<String> firstTopic = texts("topic-a", PER_PHASE);
            broker.send(Destinations.REDEPLOY_TOPIC, true, firstTopic);

            // some forwarded, the rest still queued or in flight when the application goes away
            List<String> out = new ArrayList<>(
                    broker.receive(Destinations.OUT_REDEPLOY, 5, Duration.ofMinutes(2), Duration.ZERO));
            deployer.undeploy(APP);
            deployed = false;

            List<String> second = texts("queue-b", PER_PHASE);
            broker.send(Destinations.REDEPLOY_QUEUE, false, second);
            List<String> secondTopic = texts("topic-b", PER_PHASE);
            broker.send(Destinations.REDEPLOY_TOPIC, true, secondTopic);
            deployer.deploy(APP);
            deployed = true;

            List<String> expected = new ArrayList<>(first);
            expected.addAll(firstTopic);
            expected.addAll(second);
            expected.addAll(secondTopic);
            out.addAll(broker.receive(Destinations.OUT_REDEPLOY, expected.size() - out.size(), Duration.ofMinutes(3),
                    Duration.ofSeconds(3)));
            assertThat(out).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            if (deployed) {
                deployer.undeploy(APP);
            }
        }
    }

    @Test
    void aDomainRestartLosesNothing() throws Exception {
        deployer.deploy(APP);
        try {
            awaitConsumers();
            List<String> expected = new ArrayList<>();
            List<String> before = texts("restart-queue-a", PER_PHASE);
            broker.send(Destinations.REDEPLOY_QUEUE, false, before);
            List<String> beforeTopic = texts("restart-topic-a", PER_PHASE);
            broker.send(Destinations.REDEPLOY_TOPIC, true, beforeTopic);
            expected.addAll(before);
            expected.addAll(beforeTopic);

            List<String> out = new ArrayList<>(
                    broker.receive(Destinations.OUT_REDEPLOY, 5, Duration.ofMinutes(2), Duration.ZERO));
            PayaraDomain.restart();

            List<String> after = texts("restart-queue-b", PER_PHASE);
            broker.send(Destinations.REDEPLOY_QUEUE, false, after);
            List<String> afterTopic = texts("restart-topic-b", PER_PHASE);
            broker.send(Destinations.REDEPLOY_TOPIC, true, afterTopic);
            expected.addAll(after);
            expected.addAll(afterTopic);

            out.addAll(broker.receive(Destinations.OUT_REDEPLOY, expected.size() - out.size(), Duration.ofMinutes(3),
                    Duration.ofSeconds(3)));
            assertThat(out).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            deployer.undeploy(APP);
        }
    }

    /** The queue MDB's two sessions in the queue's share group, the topic MDB in its subscription's group. */
    private void awaitConsumers() {
        broker.awaitQueueConsumers(Destinations.REDEPLOY_QUEUE, 2);
        broker.awaitMembers(Destinations.REDEPLOY_CLIENT_ID + "." + Destinations.REDEPLOY_SUBSCRIPTION);
    }

    private static List<String> texts(String prefix, int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
