package io.weir.tck;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.util.Map;

/**
 * An {@link EmbeddedWeirCluster} (ZooKeeper + brokers on loopback, ephemeral ports) and Weir's JNDI syntax:
 * {@code connectionFactory.<name>=<bootstrap servers>[?clientId=cts]}, {@code queue.<name>=<name>},
 * {@code topic.<name>=<name>}. A Weir connection factory is a generic, queue and topic factory at once.
 *
 * <p>With security (the default; {@code -Dtck.weir.security=false} turns it off) clients connect to a
 * SASL_PLAINTEXT listener that knows only the TCK's user ({@code user}/{@code password}, PLAIN), and the
 * factories carry {@code security.protocol=SASL_PLAINTEXT&sasl.mechanism=PLAIN&user=…&password=…}, so
 * connections made without credentials use the TCK's user and wrong credentials are refused
 * ({@code JMSSecurityException}). Brokers talk to each other on a PLAINTEXT listener.
 */
public final class WeirTckBroker implements TckBroker {
    static final String INITIAL_CONTEXT_FACTORY = "io.weir.jms.jndi.WeirInitialContextFactory";

    private final int brokers;
    private final boolean security;
    private final String user;
    private final String password;
    private EmbeddedWeirCluster cluster;

    public WeirTckBroker(int brokers) {
        this(brokers, false, null, null);
    }

    public WeirTckBroker(int brokers, boolean security, String user, String password) {
        if (security && (user == null || password == null)) {
            throw new IllegalArgumentException("A TCK broker with security needs the user and password system properties");
        }
        this.brokers = brokers;
        this.security = security;
        this.user = user;
        this.password = password;
    }

    /** Weir's jndi.properties syntax for a cluster at {@code bootstrap}. */
    static TckJndi.Syntax syntax(String bootstrap) {
        return syntax(bootstrap, "");
    }

    /** The same, with {@code settings} ({@code &k=v…}) added to every factory. */
    static TckJndi.Syntax syntax(String bootstrap, String settings) {
        return new TckJndi.Syntax() {
            @Override
            public String initialContextFactory() {
                return INITIAL_CONTEXT_FACTORY;
            }

            @Override
            public Map<String, String> connectionFactory(String name, TckJndi.FactoryKind kind) {
                String query = (kind == TckJndi.FactoryKind.DURABLE_TOPIC ? "&clientId=" + TckJndi.DURABLE_CLIENT_ID : "") + settings;
                return Map.of("connectionFactory." + name, query.isEmpty() ? bootstrap : bootstrap + "?" + query.substring(1));
            }
        };
    }

    /**
     * How the TCK's factories read queues: {@code -Dtck.weir.queueMode} ({@code auto}, {@code share}, {@code classic}),
     * else the provider's default ({@code auto}: share groups on Weir).
     */
    private static String queueMode() {
        String mode = System.getProperty("tck.weir.queueMode", "");
        return mode.isBlank() ? "" : "&queueMode=" + mode;
    }

    @Override
    public Map<String, String> start() {
        if (!security) {
            cluster = EmbeddedWeirCluster.builder().brokers(brokers).build().start();
            return TckJndi.entries(syntax(cluster.bootstrapServers(), queueMode()));
        }
        // the first listener is the one bootstrapServers() names
        cluster = EmbeddedWeirCluster.builder().brokers(brokers)
                .brokerProperty("listeners", "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0")
                .brokerProperty("inter.broker.listener.name", "PLAINTEXT")
                .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .brokerProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required " + jaasOption(user, password) + ";")
                .build().start();
        return TckJndi.entries(syntax(cluster.bootstrapServers(), queueMode() + "&security.protocol=SASL_PLAINTEXT&sasl.mechanism=PLAIN&user="
                + user + "&password=" + password));
    }

    private static String jaasOption(String user, String password) {
        if (!user.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("The TCK user '" + user + "' must be a plain word to be a JAAS option name");
        }
        return "user_" + user + "=\"" + password.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public String describe() {
        return "Weir (EmbeddedWeirCluster, " + brokers + " broker(s)" + (security ? ", SASL_PLAINTEXT/PLAIN as " + user : "")
                + ") at " + (cluster == null ? "-" : cluster.bootstrapServers());
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
