package io.weir.tck;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.util.Map;

/**
 * An {@link EmbeddedWeirCluster} (ZooKeeper + brokers on loopback, ephemeral ports) and Weir's JNDI syntax:
 * {@code connectionFactory.<name>=<bootstrap servers>[?clientId=cts]}, {@code queue.<name>=<name>},
 * {@code topic.<name>=<name>}. A Weir connection factory is a generic, queue and topic factory at once.
 */
public final class WeirTckBroker implements TckBroker {
    static final String INITIAL_CONTEXT_FACTORY = "io.weir.jms.jndi.WeirInitialContextFactory";

    private final int brokers;
    private EmbeddedWeirCluster cluster;

    public WeirTckBroker(int brokers) {
        this.brokers = brokers;
    }

    /** Weir's jndi.properties syntax for a cluster at {@code bootstrap}. */
    static TckJndi.Syntax syntax(String bootstrap) {
        return new TckJndi.Syntax() {
            @Override
            public String initialContextFactory() {
                return INITIAL_CONTEXT_FACTORY;
            }

            @Override
            public Map<String, String> connectionFactory(String name, TckJndi.FactoryKind kind) {
                String url = kind == TckJndi.FactoryKind.DURABLE_TOPIC ? bootstrap + "?clientId=" + TckJndi.DURABLE_CLIENT_ID : bootstrap;
                return Map.of("connectionFactory." + name, url);
            }
        };
    }

    @Override
    public Map<String, String> start() {
        cluster = EmbeddedWeirCluster.builder().brokers(brokers).build().start();
        return TckJndi.entries(syntax(cluster.bootstrapServers()));
    }

    @Override
    public String describe() {
        return "Weir (EmbeddedWeirCluster, " + brokers + " broker(s)) at " + (cluster == null ? "-" : cluster.bootstrapServers());
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
