package io.weir.tck.artemis;

import io.weir.tck.TckBroker;
import io.weir.tck.TckJndi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMAcceptorFactory;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;

/**
 * The reference run: ActiveMQ Artemis embedded in this JVM (in-VM acceptor, no port), persistence on (NIO
 * journal under {@code dataDir}), security off unless {@code security}, in which case the one user
 * {@code user}/{@code password} may do everything, a connection without credentials acts as that user, and
 * wrong credentials are refused. JNDI through Artemis's own
 * {@code ActiveMQInitialContextFactory}: {@code connectionFactory.<name>=vm://0?type=QUEUE_CF|TOPIC_CF|CF[&clientID=cts]}.
 */
public final class ArtemisTckBroker implements TckBroker {
    private static final String ROLE = "tck";

    private final Path dataDir;
    private final boolean security;
    private final String user;
    private final String password;
    private EmbeddedActiveMQ server;

    public ArtemisTckBroker(Path dataDir, boolean security, String user, String password) {
        this.dataDir = dataDir;
        this.security = security;
        this.user = user;
        this.password = password;
    }

    static TckJndi.Syntax syntax() {
        return new TckJndi.Syntax() {
            @Override
            public String initialContextFactory() {
                return "org.apache.activemq.artemis.jndi.ActiveMQInitialContextFactory";
            }

            @Override
            public Map<String, String> connectionFactory(String name, TckJndi.FactoryKind kind) {
                String url = switch (kind) {
                    case GENERIC -> "vm://0?type=CF";
                    case QUEUE -> "vm://0?type=QUEUE_CF";
                    case TOPIC -> "vm://0?type=TOPIC_CF";
                    case DURABLE_TOPIC -> "vm://0?type=TOPIC_CF&clientID=" + TckJndi.DURABLE_CLIENT_ID;
                };
                return Map.of("connectionFactory." + name, url);
            }
        };
    }

    @Override
    public Map<String, String> start() throws Exception {
        deleteRecursively(dataDir); // a run starts empty: no messages or durable subscriptions of an earlier run
        Configuration config = new ConfigurationImpl()
                .setName("tck")
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large").toString())
                .setSecurityEnabled(security)
                .addAcceptorConfiguration(new TransportConfiguration(InVMAcceptorFactory.class.getName(), new HashMap<>(Map.of("serverId", "0"))));
        server = new EmbeddedActiveMQ().setConfiguration(config);
        if (security) {
            SecurityConfiguration users = new SecurityConfiguration();
            users.addUser(user, password);
            users.addRole(user, ROLE);
            users.setDefaultUser(user); // a connection created without credentials acts as the TCK user
            server.setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
            config.putSecurityRoles("#", Set.of(new Role(ROLE, true, true, true, true, true, true, true, true, true, true, true, true)));
        }
        server.start();
        return TckJndi.entries(syntax());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public String describe() {
        return "ActiveMQ Artemis (embedded, in-VM, persistence on, security " + (security ? "on" : "off") + ", data " + dataDir + ")";
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("stopping Artemis failed", e);
            } finally {
                server = null;
            }
        }
    }
}
