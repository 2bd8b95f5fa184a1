package io.weir.ra.it.support;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Weir broker the application server talks to: one {@link EmbeddedWeirCluster} (ZooKeeper and one broker
 * on ephemeral loopback ports) started in the test JVM before the first test class that needs it and closed when
 * the whole run ends (it lives in JUnit's root store). Its address is published as the system property
 * {@value #BOOTSTRAP_PROPERTY}, where {@link WeirAdapterSetup} reads it to configure the resource adapter.
 *
 * <p>Register it before {@code ArquillianExtension} so that the broker exists when the server is configured.
 */
public final class WeirBroker implements BeforeAllCallback {

    public static final String BOOTSTRAP_PROPERTY = "weir.it.bootstrap";

    /** Topics the tests read or write, with their partition counts (created before any server touches them). */
    private static final Map<String, Integer> TOPICS = Map.ofEntries(
            Map.entry(Destinations.IN_QUEUE, 1),
            Map.entry(Destinations.PLAIN_QUEUE, 1),
            Map.entry(Destinations.NEWS_TOPIC, 1),
            Map.entry(Destinations.PARALLEL_QUEUE, Destinations.PARALLEL_PARTITIONS),
            Map.entry(Destinations.REDEPLOY_QUEUE, 1),
            Map.entry(Destinations.REDEPLOY_TOPIC, 1),
            Map.entry(Destinations.OUT_QUEUE, 1),
            Map.entry(Destinations.OUT_TOPIC_SUB, 1),
            Map.entry(Destinations.OUT_PARALLEL, 1),
            Map.entry(Destinations.OUT_REDEPLOY, 1),
            Map.entry(Destinations.SHARED_QUEUE, 1),
            Map.entry(Destinations.OUT_SHARED, 1),
            Map.entry(Destinations.CLASSIC_QUEUE, 1),
            Map.entry(Destinations.OUT_CLASSIC, 1),
            Map.entry(Destinations.BENCH_QUEUE, Destinations.BENCH_PARTITIONS),
            Map.entry(Destinations.SAMPLE_ORDERS, 1),
            Map.entry(Destinations.RECOVERY_QUEUE, 1));

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext.Store root = context.getRoot().getStore(ExtensionContext.Namespace.create(WeirBroker.class));
        root.getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class);
    }

    /** The running cluster, closed by JUnit at the end of the run. */
    static final class Running implements ExtensionContext.Store.CloseableResource {
        private final EmbeddedWeirCluster cluster;

        private Running(EmbeddedWeirCluster cluster) {
            this.cluster = cluster;
        }

        static Running start() {
            EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
            try {
                createTopics(cluster.bootstrapServers());
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            System.setProperty(BOOTSTRAP_PROPERTY, cluster.bootstrapServers());
            return new Running(cluster);
        }

        @Override
        public void close() {
            System.clearProperty(BOOTSTRAP_PROPERTY);
            cluster.close();
        }
    }

    /** The bootstrap address of the running broker. */
    public static String bootstrapServers() {
        String servers = System.getProperty(BOOTSTRAP_PROPERTY);
        if (servers == null) {
            throw new IllegalStateException("No Weir broker: register " + WeirBroker.class.getSimpleName()
                    + " before ArquillianExtension on the test class");
        }
        return servers;
    }

    private static void createTopics(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> topics = TOPICS.entrySet().stream()
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList();
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create the test topics", e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not create the test topics", e);
        }
    }
}
