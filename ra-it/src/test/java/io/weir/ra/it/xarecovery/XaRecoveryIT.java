package io.weir.ra.it.xarecovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.ra.it.support.BrokerClient;
import io.weir.ra.it.support.Destinations;
import io.weir.ra.it.support.Http;
import io.weir.ra.it.support.StandaloneServer;
import io.weir.ra.it.support.WeirBroker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * XA recovery of a Weir branch by WildFly's transaction manager (Narayana) across a crash of the server JVM.
 *
 * <p>The server is not Arquillian's: the test starts its own WildFly ({@link StandaloneServer}, base directory
 * {@code target/wildfly-recovery}, port offset {@code weir.it.recovery.portOffset}), configures the adapter with the
 * operator's {@code weir-ra.cli} ({@code XATransaction}, recovery credentials), and deploys {@code InDoubtServlet}.
 * Two of its transactions send one message each through the adapter's pooled factory beside a second XA resource:
 * in the first, {@link StallInPrepare} (enlisted after Weir) keeps the transaction manager in the prepare phase with
 * the Weir branch prepared and no decision logged; in the second, {@link HaltOnCommit} (enlisted before Weir) halts
 * the JVM at the first commit, after Narayana logged its commit decision. Both Weir branches are then in doubt on the
 * broker (two-phase transactions open under the server's {@code xaResourceId}, neither message visible to
 * read-committed readers). The same server is started again; its periodic recovery (period shortened to 5 s with
 * Narayana's {@code RecoveryEnvironmentBean} system properties) finds both branches through the pool's recovery
 * connection, commits the logged one and rolls back the other (presumed abort): the first message never becomes
 * visible, the second exactly once.
 *
 * <p>The same server checks the adapter's logging without an SLF4J binding from the server: the logging
 * subsystem's {@code add-logging-api-dependencies=false} gives deployments no SLF4J, so the .rar's own
 * {@code slf4j-api} and its {@code slf4j-jdk14} provider send the adapter's lines to java.util.logging, which the
 * server writes to {@code server.log}.
 */
@ExtendWith(WeirBroker.class)
class XaRecoveryIT {

    /** The server's transaction node id, hence the adapter's default {@code xaResourceId} {@code weir-ra-<id>}. */
    private static final String NODE_ID = "weir-xa-it";
    private static final String XA_RESOURCE_ID = "weir-ra-" + NODE_ID;
    private static final String WAR = "xa-recovery.war";

    @Test
    void afterACrashRecoveryCommitsTheLoggedBranchAndRollsBackTheUnloggedOne() throws Exception {
        BrokerClient broker = new BrokerClient(WeirBroker.bootstrapServers());
        String committed = "in-doubt-logged-" + UUID.randomUUID();
        String presumedAbort = "in-doubt-unlogged-" + UUID.randomUUID();
        try (StandaloneServer server = StandaloneServer.fresh(Path.of(required("jboss.home")),
                Path.of(required("weir.it.recovery.base")), required("weir.it.wildfly.bindAddress"),
                Integer.parseInt(required("weir.it.recovery.portOffset")),
                List.of("-Djboss.tx.node.id=" + NODE_ID,
                        "-DRecoveryEnvironmentBean.periodicRecoveryPeriod=5",
                        "-DRecoveryEnvironmentBean.recoveryBackoffPeriod=1"))) {
            server.start();
            configure(server);

            // transaction 1: Weir prepared, the transaction manager stalled in the other resource's prepare
            CompletableFuture<String> stalled = CompletableFuture.supplyAsync(() -> post(server, presumedAbort,
                    "stall-in-prepare"));
            await("the first transaction's Weir branch prepared").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500)).until(() -> openBranches().size() == 1);
            // transaction 2: both prepared, commit decided and logged, the server dies before Weir's commit
            assertThatThrownBy(() -> Http.post(server.http(), "xa-recovery/in-doubt", params(committed, "halt-in-commit")))
                    .isInstanceOf(IOException.class);
            assertThat(server.awaitExit(Duration.ofMinutes(2))).as("the server's exit code (halted by HaltOnCommit)")
                    .isEqualTo(HaltOnCommit.EXIT_CODE);
            assertThat(stalled).as("the stalled request, cut off by the crash").failsWithin(Duration.ofMinutes(2));

            // both in doubt: two two-phase transactions of the server's resource manager open, nothing visible
            assertThat(openBranches()).as("Weir branches of %s left open by the crash", XA_RESOURCE_ID).hasSize(2);
            assertThat(broker.values(Destinations.RECOVERY_QUEUE)).as("committed records before recovery")
                    .noneMatch(v -> v != null && (v.contains(committed) || v.contains(presumedAbort)));

            server.start();
            await("the logged branch committed and the unlogged one rolled back").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> openBranches().isEmpty() && broker.values(Destinations.RECOVERY_QUEUE).stream()
                            .anyMatch(v -> v != null && v.contains(committed)));
            List<String> values = broker.values(Destinations.RECOVERY_QUEUE);
            assertThat(values.stream().filter(v -> v != null && v.contains(committed))).as("the committed message")
                    .hasSize(1);
            assertThat(values).as("the rolled back message").noneMatch(v -> v != null && v.contains(presumedAbort));

            String log = server.serverLogText();
            assertThat(log).as("the adapter's and the provider's lines in %s (through slf4j-jdk14)", server.serverLog())
                    .contains("INFO  [io.weir.ra.WeirResourceAdapter]")
                    .contains("Weir resource adapter started")
                    .contains("INFO  [io.weir.jms.WeirXAResource]")
                    .containsPattern("Committed recovered branch .*\\(" + XA_RESOURCE_ID + "-")
                    .containsPattern("Rolled back recovered branch .*\\(" + XA_RESOURCE_ID + "-")
                    .doesNotContain("No SLF4J providers were found");
        }
    }

    private static List<Map.Entry<String, String>> params(String body, String mode) {
        return List.of(Map.entry("queue", Destinations.RECOVERY_QUEUE), Map.entry("body", body), Map.entry("mode", mode));
    }

    /** A request that should never be answered: what it ended with, as an exception if it was cut off. */
    private static String post(StandaloneServer server, String body, String mode) {
        try {
            return Http.post(server.http(), "xa-recovery/in-doubt", params(body, mode));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The adapter as an operator configures it, deployments given no logging API, then the .rar and the WAR. */
    private static void configure(StandaloneServer server) throws Exception {
        String settings = "/system-property=weir.bootstrap.servers:add(value=\"" + WeirBroker.bootstrapServers() + "\")\n"
                + resource("wildfly/weir-ra.cli")
                + "/subsystem=logging:write-attribute(name=add-logging-api-dependencies, value=false)\n";
        server.cli(settings);
        server.reload();
        Path war = Files.createTempFile("xa-recovery", ".war");
        try {
            ShrinkWrap.create(WebArchive.class, WAR).addClasses(InDoubtServlet.class, PassiveXAResource.class,
                    HaltOnCommit.class, StallInPrepare.class)
                    .as(ZipExporter.class).exportTo(war.toFile(), true);
            server.cli("deploy " + Path.of(required("weir.it.rar")).toAbsolutePath() + " --name=weir-ra.rar\n"
                    + "deploy " + war.toAbsolutePath() + " --name=" + WAR + "\n");
        } finally {
            Files.deleteIfExists(war);
        }
    }

    /** The open (Ongoing) transactions on the broker whose transactional id is a branch of {@link #XA_RESOURCE_ID}. */
    private static List<TransactionListing> openBranches() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, WeirBroker.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            return admin.listTransactions(new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
                    .all().get(60, TimeUnit.SECONDS).stream()
                    .filter(t -> t.transactionalId().startsWith(XA_RESOURCE_ID + "-"))
                    .toList();
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = XaRecoveryIT.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n";
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is not set (ra-it/pom.xml sets it)");
        }
        return value;
    }
}
