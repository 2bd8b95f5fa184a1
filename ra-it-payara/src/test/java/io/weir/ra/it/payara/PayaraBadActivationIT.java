package io.weir.ra.it.payara;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.ra.it.bad.BadSelectorMdb;
import io.weir.ra.it.bad.NoDestinationMdb;
import io.weir.ra.it.bad.UnknownTypeMdb;
import io.weir.ra.it.payara.bad.UnreachableBrokerMdb;
import io.weir.ra.it.support.BrokerClient;
import io.weir.ra.it.support.WeirBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * ra-it's {@code BadActivationIT} in Payara, plus an unreachable broker. An activation config that is wrong (no
 * destination, an unknown destination type, a selector that does not parse) fails the application's deployment with
 * the adapter's message naming the property, and leaves nothing behind: the application is not deployed, no consumer
 * joined the queue. A valid activation whose brokers do not answer deploys, and its endpoint logs one line naming
 * {@code bootstrapServers} and its value, then retries quietly.
 */
@ExtendWith({WeirBroker.class, PayaraDomain.class, ArquillianExtension.class})
@RunAsClient
class PayaraBadActivationIT {

    /** A loopback port that nothing listens on (bound and released when the class is loaded). */
    private static final int DEAD_PORT = deadPort();
    private static final String DEAD_BROKER = "127.0.0.1:" + DEAD_PORT;

    @Deployment(name = "no-destination", managed = false, testable = false)
    static WebArchive noDestination() {
        return bad("weir-it-no-destination.war", NoDestinationMdb.class);
    }

    @Deployment(name = "unknown-type", managed = false, testable = false)
    static WebArchive unknownType() {
        return bad("weir-it-unknown-type.war", UnknownTypeMdb.class);
    }

    @Deployment(name = "bad-selector", managed = false, testable = false)
    static WebArchive badSelector() {
        return bad("weir-it-bad-selector.war", BadSelectorMdb.class);
    }

    @Deployment(name = "unreachable", managed = false, testable = false)
    static WebArchive unreachable() {
        return bad("weir-it-unreachable.war", UnreachableBrokerMdb.class)
                .addAsWebInfResource(PayaraDescriptors.activationOverride(UnreachableBrokerMdb.class,
                        Map.of("bootstrapServers", DEAD_BROKER)), "ejb-jar.xml");
    }

    @ArquillianResource
    private Deployer deployer;

    private final BrokerClient broker = new BrokerClient(WeirBroker.bootstrapServers());

    @Test
    void anMdbWithoutDestinationIsNotDeployed() throws Exception {
        assertRefused("no-destination", "weir-it-no-destination",
                "Weir activation spec: destination: neither destination nor destinationLookup is set");
    }

    @Test
    void anUnknownDestinationTypeIsNotDeployed() throws Exception {
        assertRefused("unknown-type", "weir-it-unknown-type",
                "Weir activation spec: destinationType: 'jakarta.jms.Pipe' is neither jakarta.jms.Queue nor "
                        + "jakarta.jms.Topic");
    }

    @Test
    void anInvalidSelectorIsNotDeployedAndNothingConsumes() throws Exception {
        assertRefused("bad-selector", "weir-it-bad-selector",
                "Weir activation spec: messageSelector: Invalid selector \"color = 'red' AND AND\"");
        assertThat(broker.queueConsumers(BadSelectorMdb.QUEUE)).isZero();
    }

    /**
     * Not a configuration error but an outage: the application deploys, and the endpoint says once that it cannot
     * reach {@code bootstrapServers} (naming the value), then retries with backoff. kafka-clients' own admin client
     * meanwhile logs {@code Rebootstrapping with Cluster(...)} at INFO many times a second while the brokers do not
     * answer (ra-it-payara/README.md): not the adapter's line, and not counted here.
     */
    @Test
    void anUnreachableBrokerIsLoggedOnceNamingBootstrapServers() throws Exception {
        Pattern outage = Pattern.compile("\\(bootstrapServers=" + Pattern.quote(DEAD_BROKER)
                + "\\): Connecting \\(session \\d+\\) failed, retrying with backoff until the brokers answer: "
                + "Cannot connect to the brokers at " + Pattern.quote(DEAD_BROKER));
        deployer.deploy("unreachable");
        try {
            await("the endpoint's outage line in " + PayaraDomain.serverLog()).atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> count(outage) >= 1);
            // both sessions fail and retry (15 s connect timeout, then 1 s backoff doubling): still the one line
            Thread.sleep(Duration.ofSeconds(20).toMillis());
            assertThat(count(outage)).as("outage lines for %s", DEAD_BROKER).isEqualTo(1);
            assertThat(broker.queueConsumers(BadSelectorMdb.QUEUE)).isZero();
        } finally {
            deployer.undeploy("unreachable");
        }
    }

    /**
     * The deployment of {@code deployment} fails (Payara answers the deployer only "EJB Container initialization
     * error. Please see server.log"), server.log has the adapter's reason naming the property (Payara's {@code RAR8501:
     * Exception during endpoint activation ... InvalidPropertyException: <reason>}), and the application is rolled
     * back: Payara does not list it.
     */
    private void assertRefused(String deployment, String application, String reason) throws IOException {
        assertThatThrownBy(() -> deployer.deploy(deployment))
                .hasStackTraceContaining("While Deploying Application: " + application)
                .hasStackTraceContaining("Error occurred during deployment");
        assertThat(PayaraDomain.serverLogText()).contains("RAR8501: Exception during endpoint activation for ra [ "
                + PayaraDomain.ADAPTER + " ]").contains("InvalidPropertyException: " + reason);
        assertThat(PayaraDomain.admin("list-applications", "--long=true")).doesNotContain(application);
    }

    private static WebArchive bad(String name, Class<?> mdb) {
        return ShrinkWrap.create(WebArchive.class, name).addClass(mdb)
                .addAsWebInfResource(PayaraDescriptors.onWeirAdapter(mdb), "glassfish-ejb-jar.xml");
    }

    private static long count(Pattern pattern) throws IOException {
        Matcher m = pattern.matcher(PayaraDomain.serverLogText());
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static int deadPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free loopback port", e);
        }
    }
}
