package io.weir.ra.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.ra.it.bench.BenchCounter;
import io.weir.ra.it.bench.BenchLoader;
import io.weir.ra.it.bench.BenchMdb;
import io.weir.ra.it.bench.BenchServlet;
import io.weir.ra.it.support.Destinations;
import io.weir.ra.it.support.Http;
import io.weir.ra.it.support.WeirAdapterSetup;
import io.weir.ra.it.support.WeirBroker;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.dmr.ModelNode;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MDB throughput on a persistent queue of 1 KiB messages, the same application on Weir's resource adapter and on
 * WildFly's built-in messaging (ActiveMQ Artemis in {@code standalone-full}, its {@code activemq-ra}), in the same
 * server and run. Only the deployment descriptors differ: which adapter the MDB uses ({@code jboss-ejb3.xml}) and
 * which factory and queue the loader's resource references name ({@code web.xml}).
 *
 * <p>For each provider: deploy with delivery stopped, load the queue through the server ({@code count} messages in
 * container transactions of {@value #BATCH}), start delivery, and time until every message was delivered. Not part of
 * the default build (the name does not end in IT); run it on a quiet machine:
 * <pre>
 * mvn -B -pl ra-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=MdbThroughputBench \
 *     -Dfailsafe.failIfNoSpecifiedTests=false -Dweir.bench.messages=20000
 * </pre>
 * The default (200 messages) only checks that the scenario runs. Results go to standard output, one line per provider.
 */
@ExtendWith({WeirBroker.class, ArquillianExtension.class})
@ServerSetup(WeirAdapterSetup.class)
@RunAsClient
class MdbThroughputBench {

    private static final int MESSAGES = Integer.getInteger("weir.bench.messages", 200);
    private static final int SIZE = Integer.getInteger("weir.bench.size", 1024);
    private static final int MAX_SESSION = Integer.getInteger("weir.bench.maxSession", 15);
    private static final int BATCH = 500;
    private static final String ARTEMIS_QUEUE_JNDI = "java:/jms/artemis/queue/bench";

    @Deployment(name = "weir", managed = false, testable = false)
    static WebArchive weir() {
        return app("weir", "weir-ra.rar", Destinations.CONNECTION_FACTORY, Destinations.BENCH_QUEUE_JNDI);
    }

    @Deployment(name = "artemis", managed = false, testable = false)
    static WebArchive artemis() {
        return app("artemis", "activemq-ra.rar", "java:/JmsXA", ARTEMIS_QUEUE_JNDI);
    }

    @ArquillianResource
    private Deployer deployer;
    /** Both deployments go to the one server; naming one tells Arquillian which server's client this is. */
    @ArquillianResource
    @OperateOnDeployment("weir")
    private ManagementClient management;

    @Test
    void mdbThroughputOnWeirAndOnWildFlysArtemis() throws Exception {
        ModelNode addQueue = operation("add", "subsystem", "messaging-activemq", "server", "default", "jms-queue", "bench");
        addQueue.get("entries").add(ARTEMIS_QUEUE_JNDI);
        execute(addQueue);

        double weir = run("weir");
        double artemis = run("artemis");
        System.out.printf("MDB throughput, %d persistent messages of %d bytes, maxSession %d: Weir %.0f msg/s, "
                + "WildFly Artemis %.0f msg/s%n", MESSAGES, SIZE, MAX_SESSION, weir, artemis);
    }

    /** Loads the queue, starts delivery and returns deliveries per second. */
    private double run(String provider) throws Exception {
        deployer.deploy(provider);
        try {
            URL base = management.getWebUri().resolve("/bench-" + provider + "/").toURL();
            long loadStart = System.nanoTime();
            for (int sent = 0; sent < MESSAGES; sent += BATCH) {
                int count = Math.min(BATCH, MESSAGES - sent);
                Http.post(base, "bench", List.of(Map.entry("count", String.valueOf(count)),
                        Map.entry("size", String.valueOf(SIZE))));
            }
            long loadNanos = System.nanoTime() - loadStart;
            assertThat(Long.parseLong(Http.get(base, "bench"))).as("deliveries before delivery started").isZero();

            long start = System.nanoTime();
            execute(operation("start-delivery", "deployment", "bench-" + provider + ".war", "subsystem", "ejb3",
                    "message-driven-bean", "BenchMdb"));
            await(provider + ": every message delivered").atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Long.parseLong(Http.get(base, "bench")) >= MESSAGES);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s: loaded %d in %.1f s (%.0f msg/s), delivered in %.1f s%n", provider, MESSAGES,
                    loadNanos / 1e9, MESSAGES / (loadNanos / 1e9), seconds);
            assertThat(Long.parseLong(Http.get(base, "bench"))).as("deliveries").isEqualTo(MESSAGES);
            return MESSAGES / seconds;
        } finally {
            deployer.undeploy(provider);
        }
    }

    private static WebArchive app(String provider, String adapter, String factory, String queue) {
        String ejb = """
                <?xml version="1.0" encoding="UTF-8"?>
                <jboss:ejb-jar xmlns:jboss="urn:jboss:jakartaee:1.0" xmlns="https://jakarta.ee/xml/ns/jakartaee"
                               xmlns:r="urn:resource-adapter-binding:2.0" xmlns:d="urn:delivery-active:2.0"
                               version="4.0" impl-version="2.0">
                  <enterprise-beans>
                    <message-driven>
                      <ejb-name>BenchMdb</ejb-name>
                      <activation-config>
                        <activation-config-property>
                          <activation-config-property-name>destinationLookup</activation-config-property-name>
                          <activation-config-property-value>%s</activation-config-property-value>
                        </activation-config-property>
                        <activation-config-property>
                          <activation-config-property-name>destinationType</activation-config-property-name>
                          <activation-config-property-value>jakarta.jms.Queue</activation-config-property-value>
                        </activation-config-property>
                        <activation-config-property>
                          <activation-config-property-name>maxSession</activation-config-property-name>
                          <activation-config-property-value>%d</activation-config-property-value>
                        </activation-config-property>
                      </activation-config>
                    </message-driven>
                  </enterprise-beans>
                  <assembly-descriptor>
                    <r:resource-adapter-binding>
                      <ejb-name>BenchMdb</ejb-name>
                      <r:resource-adapter-name>%s</r:resource-adapter-name>
                    </r:resource-adapter-binding>
                    <d:delivery>
                      <ejb-name>BenchMdb</ejb-name>
                      <d:active>false</d:active>
                    </d:delivery>
                  </assembly-descriptor>
                </jboss:ejb-jar>
                """.formatted(queue, MAX_SESSION, adapter);
        String web = """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <resource-ref>
                    <res-ref-name>jms/bench/cf</res-ref-name>
                    <res-type>jakarta.jms.ConnectionFactory</res-type>
                    <lookup-name>%s</lookup-name>
                  </resource-ref>
                  <resource-env-ref>
                    <resource-env-ref-name>jms/bench/queue</resource-env-ref-name>
                    <resource-env-ref-type>jakarta.jms.Queue</resource-env-ref-type>
                    <lookup-name>%s</lookup-name>
                  </resource-env-ref>
                </web-app>
                """.formatted(factory, queue);
        return ShrinkWrap.create(WebArchive.class, "bench-" + provider + ".war")
                .addClasses(BenchMdb.class, BenchCounter.class, BenchLoader.class, BenchServlet.class)
                .addAsWebInfResource(new StringAsset(ejb), "jboss-ejb3.xml")
                .setWebXML(new StringAsset(web));
    }

    private static ModelNode operation(String name, String... address) {
        ModelNode op = new ModelNode();
        op.get("operation").set(name);
        ModelNode addr = op.get("address").setEmptyList();
        for (int i = 0; i < address.length; i += 2) {
            addr.add(address[i], address[i + 1]);
        }
        return op;
    }

    private void execute(ModelNode op) throws Exception {
        ModelNode result = management.getControllerClient().execute(op);
        if (!"success".equals(result.get("outcome").asString())) {
            throw new IllegalStateException(op.get("operation").asString() + " failed: " + result);
        }
    }
}
