package io.weir.ra.it.payara;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.ra.it.app.ClassicQueueMdb;
import io.weir.ra.it.app.DurableTopicMdb;
import io.weir.ra.it.app.Forwarder;
import io.weir.ra.it.app.Ledger;
import io.weir.ra.it.app.LedgerServlet;
import io.weir.ra.it.app.ParallelMdb;
import io.weir.ra.it.app.QueueMdb;
import io.weir.ra.it.payara.app.PayaraNames;
import io.weir.ra.it.payara.app.PayaraSendServlet;
import io.weir.ra.it.payara.app.PayaraSender;
import io.weir.ra.it.support.BrokerClient;
import io.weir.ra.it.support.Destinations;
import io.weir.ra.it.support.Http;
import io.weir.ra.it.support.WeirBroker;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ra-it's test application (the same beans: {@code QueueMdb}, {@code DurableTopicMdb}, {@code ParallelMdb},
 * {@code ClassicQueueMdb}, {@code Forwarder}, {@code Ledger}; a sender with Payara's names) deployed in Payara beside
 * the Weir {@code .rar}, against a real Weir broker in this JVM. The domain is set up by {@link PayaraDomain} with
 * the README's asadmin steps; every check is made from the client side, reading the broker with the plain provider or
 * kafka-clients.
 */
@ExtendWith({WeirBroker.class, PayaraDomain.class, ArquillianExtension.class})
@RunAsClient
class PayaraAdapterIT {

    private static final Duration ARRIVAL = Duration.ofMinutes(2);
    /** How long to keep listening after the expected messages arrived, to catch a duplicate. */
    private static final Duration QUIET = Duration.ofSeconds(3);

    @Deployment(testable = false)
    static WebArchive app() {
        return ShrinkWrap.create(WebArchive.class, "weir-it.war")
                .addClasses(Destinations.class, PayaraNames.class, PayaraSender.class, PayaraSender.Api.class,
                        PayaraSendServlet.class, Ledger.class, LedgerServlet.class, Forwarder.class, QueueMdb.class,
                        DurableTopicMdb.class, ParallelMdb.class, ClassicQueueMdb.class)
                .addClass("io.weir.ra.it.app.Bodies")
                .addAsWebInfResource("payara/ejb-jar.xml", "ejb-jar.xml")
                .addAsWebInfResource("payara/glassfish-ejb-jar.xml", "glassfish-ejb-jar.xml");
    }

    @ArquillianResource
    private URL base;

    private final BrokerClient broker = new BrokerClient(WeirBroker.bootstrapServers());

    @Test
    void sendsThroughTheResourceFactoryReachTheQueueMdbOnceEach() throws Exception {
        List<String> simplified = texts("simplified", 5);
        List<String> classic = texts("classic", 3);
        send("resource", PayaraNames.IN_QUEUE, simplified, false);
        send("classic", PayaraNames.IN_QUEUE, classic, false);

        List<String> out = broker.receive(Destinations.OUT_QUEUE, 8, ARRIVAL, QUIET);

        List<String> expected = new ArrayList<>(simplified);
        expected.addAll(classic);
        assertThat(out).containsExactlyInAnyOrderElementsOf(expected);
        for (String text : expected) {
            assertThat(ledger(text)).as("deliveries of %s", text).isEqualTo("false/1");
        }
    }

    @Test
    void sendsOfARolledBackTransactionNeverArrive() throws Exception {
        send("resource", PayaraNames.PLAIN_QUEUE, List.of("rolled-back-resource-1", "rolled-back-resource-2"), true);
        send("classic", PayaraNames.PLAIN_QUEUE, List.of("rolled-back-classic"), true);
        send("resource", PayaraNames.PLAIN_QUEUE, List.of("committed-after-rollbacks"), false);

        // one partition: had a rolled-back send been written, it would come before the committed one
        List<String> received = broker.receive(Destinations.PLAIN_QUEUE,
                l -> l.contains("committed-after-rollbacks"), ARRIVAL, QUIET);
        assertThat(received).containsExactly("committed-after-rollbacks");
        assertThat(broker.values(Destinations.PLAIN_QUEUE)).noneMatch(v -> v.startsWith("rolled-back-"));
    }

    @Test
    void injectedJmsContextSendsInTheContainerTransaction() throws Exception {
        send("inject", PayaraNames.PLAIN_QUEUE, List.of("injected-rolled-back"), true);
        send("inject", PayaraNames.PLAIN_QUEUE, List.of("injected-1", "injected-2"), false);

        List<String> received = broker.receive(Destinations.PLAIN_QUEUE, l -> l.contains("injected-2"), ARRIVAL, QUIET);
        assertThat(received).containsExactly("injected-1", "injected-2");
        assertThat(broker.values(Destinations.PLAIN_QUEUE)).doesNotContain("injected-rolled-back");
    }

    @Test
    void anMdbTransactionThatRollsBackGetsTheMessageAgain() throws Exception {
        send("resource", PayaraNames.IN_QUEUE, List.of("rollback-once:a", "throw-once:b"), false);

        List<String> out = broker.receive(Destinations.OUT_QUEUE, 2, ARRIVAL, QUIET);

        // forwarded once each: only the second, committed delivery forwards
        assertThat(out).containsExactlyInAnyOrder("rollback-once:a", "throw-once:b");
        assertThat(ledger("rollback-once:a")).isEqualTo("false/1,true/2");
        assertThat(ledger("throw-once:b")).isEqualTo("false/1,true/2");
    }

    @Test
    void aDurableTopicSubscriptionMdbGetsEveryPublishedMessage() throws Exception {
        broker.awaitMembers(Destinations.NEWS_CLIENT_ID + "." + Destinations.NEWS_SUBSCRIPTION);
        List<String> news = texts("news", 4);
        send("resource", PayaraNames.NEWS_TOPIC, news, false);

        assertThat(broker.receive(Destinations.OUT_TOPIC_SUB, news.size(), ARRIVAL, QUIET))
                .containsExactlyInAnyOrderElementsOf(news);
    }

    /**
     * Four delivery sessions on a four-partition queue, one message per partition: all four are in {@code onMessage} at
     * once. It failed in most runs before the broker gave every member of a queue's share group every partition
     * ({@code weir.share.assignment}, broker/SHARE-GROUPS.md) and each session acquired one message at a time
     * ({@code prefetchRecords}): a partition's message waited for the one session it was assigned to, busy with another.
     */
    @Test
    void maxSessionDeliveriesRunInParallel() throws Exception {
        broker.awaitQueueConsumers(Destinations.PARALLEL_QUEUE, Destinations.PARALLEL_SESSIONS);
        List<String> texts = texts("parallel", Destinations.PARALLEL_PARTITIONS);
        for (int p = 0; p < texts.size(); p++) {
            broker.produce(Destinations.PARALLEL_QUEUE, p, texts.get(p));
        }

        assertThat(broker.receive(Destinations.OUT_PARALLEL, texts.size(), ARRIVAL, QUIET))
                .containsExactlyInAnyOrderElementsOf(texts);
        assertThat(Integer.parseInt(Http.get(base, "ledger"))).isEqualTo(Destinations.PARALLEL_SESSIONS);
    }

    @Test
    void mdbDeliveriesAreXaBranchesOnTheBroker() throws Exception {
        long before = xaBranches();
        List<String> texts = texts("xa-delivery", 3);
        broker.send(Destinations.IN_QUEUE, false, texts); // outside any server transaction

        assertThat(broker.receive(Destinations.OUT_QUEUE, texts.size(), ARRIVAL, QUIET))
                .containsExactlyInAnyOrderElementsOf(texts);
        // each delivery's container transaction is a two-phase Kafka transaction named after the adapter's default
        // xaResourceId: weir-ra- and Payara's instance name (com.sun.aas.instanceName, "server")
        assertThat(xaBranches() - before).isGreaterThanOrEqualTo(texts.size());
    }

    @Test
    void anActivationSpecChoosesTheClassicMapping() throws Exception {
        // connectionParameters=queueMode=classic: the MDB's sessions are members of consumer group it.classic
        broker.awaitMembers(Destinations.CLASSIC_QUEUE);
        assertThat(broker.shareMembers(Destinations.CLASSIC_QUEUE)).as("members of the queue's share group").isZero();
        List<String> texts = texts("classic-mode", 3);
        broker.send(Destinations.CLASSIC_QUEUE, false, texts);

        assertThat(broker.receive(Destinations.OUT_CLASSIC, texts.size(), ARRIVAL, QUIET))
                .containsExactlyInAnyOrderElementsOf(texts);
    }

    @Test
    void theAdaptersLogLinesReachServerLog() {
        // Payara gives a .rar no SLF4J: the .rar's slf4j-jdk14 sends the lines to java.util.logging, Payara's log
        String started = "Weir resource adapter started (bootstrapServers=" + WeirBroker.bootstrapServers() + ")";
        await("the adapter's lines in " + PayaraDomain.serverLog()).atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(PayaraDomain.serverLogText())
                        .contains(started)
                        .contains("[io.weir.ra.inflow.WeirActivation]")
                        .contains(": activated, ")
                        .doesNotContain("No SLF4J providers were found"));
    }

    /** The broker's transactional ids (any state) that are XA branches of the adapter's default resource manager. */
    private static long xaBranches() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", WeirBroker.bootstrapServers()))) {
            return admin.listTransactions().all().get(60, TimeUnit.SECONDS).stream()
                    .filter(t -> t.transactionalId().startsWith("weir-ra-server")).count();
        }
    }

    private void send(String api, String destination, List<String> texts, boolean rollback) throws Exception {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        params.add(Map.entry("api", api));
        params.add(Map.entry("dest", destination));
        params.add(Map.entry("rollback", String.valueOf(rollback)));
        texts.forEach(t -> params.add(Map.entry("text", t)));
        assertThat(Http.post(base, "send", params)).isEqualTo(rollback ? "rolled back" : "sent");
    }

    private String ledger(String text) throws Exception {
        return Http.get(base, "ledger?text=" + Http.enc(text));
    }

    private static List<String> texts(String prefix, int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
