package io.weir.jms;

import io.weir.jms.jndi.WeirInitialContextFactory;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import org.junit.jupiter.api.Test;

import javax.naming.ConfigurationException;
import javax.naming.Context;
import javax.naming.InitialContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.ServerSocket;
import java.util.Hashtable;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code connectTimeoutMs}: how long a connection waits for the brokers, set in code, by name (JNDI, the resource
 * adapter's {@code connectionParameters}) and kept through serialization; the kafka-clients timeouts derived from it;
 * bad values refused by name; a connection to a port where no broker answers fails with a JMSException naming it.
 */
class ConnectTimeoutTest {

    @Test
    void setInCodeByNameAndThroughJndi() throws Exception {
        WeirConnectionFactory f = new WeirConnectionFactory("h:1");
        assertThat(f.getConnectTimeoutMs()).isEqualTo(15_000L).isEqualTo(WeirConnectionFactory.DEFAULT_CONNECT_TIMEOUT_MS);
        f.setConnectTimeoutMs(60_000);
        assertThat(f.settings(null, null).connectTimeoutMs()).isEqualTo(60_000L);
        f.setProperty("connectTimeoutMs", " 45000 ");
        assertThat(f.getConnectTimeoutMs()).isEqualTo(45_000L);

        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, WeirInitialContextFactory.class.getName());
        env.put("connectionFactory.cf", "h:1?connectTimeoutMs=90000");
        env.put("xaConnectionFactory.xa", "h:1?connectTimeoutMs=120000&xaResourceId=rm-timeout");
        InitialContext ctx = new InitialContext(env);
        assertThat(((WeirConnectionFactory) ctx.lookup("cf")).getConnectTimeoutMs()).isEqualTo(90_000L);
        assertThat(((WeirConnectionFactory) ctx.lookup("xa")).getConnectTimeoutMs()).isEqualTo(120_000L);
    }

    @Test
    void keptThroughSerialization() throws Exception {
        WeirConnectionFactory f = new WeirConnectionFactory("h:1");
        f.setConnectTimeoutMs(33_000);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(f);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(((WeirConnectionFactory) in.readObject()).getConnectTimeoutMs()).isEqualTo(33_000L);
        }
    }

    @Test
    void badValuesAreRefusedByName() {
        WeirConnectionFactory f = new WeirConnectionFactory("h:1");
        assertThatThrownBy(() -> f.setConnectTimeoutMs(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeoutMs must be > 0");
        assertThatThrownBy(() -> f.setProperty("connectTimeoutMs", "-5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeoutMs must be > 0: -5");
        assertThatThrownBy(() -> f.setProperty("connectTimeoutMs", "soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeoutMs must be a whole number of milliseconds, not 'soon'");
        assertThatThrownBy(() -> f.setProperty("connectTimeoutMs", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeoutMs");
        assertThat(f.getConnectTimeoutMs()).as("unchanged by the refused values").isEqualTo(15_000L);

        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, WeirInitialContextFactory.class.getName());
        env.put("connectionFactory.cf", "h:1?connectTimeoutMs=1.5s");
        assertThatThrownBy(() -> new InitialContext(env)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("connectTimeoutMs");
    }

    @Test
    void theClientsTimeoutsFollowIt() {
        // the default leaves them as they always were
        Properties admin = ClientTimeouts.admin(new Properties(), 15_000);
        assertThat(admin).containsEntry("request.timeout.ms", "10000").containsEntry("default.api.timeout.ms", "15000")
                // no rebootstrapping: kafka-clients 4.4's admin client logs each one, in a tight loop while no broker answers
                .containsEntry("metadata.recovery.strategy", "none");
        assertThat(ClientTimeouts.admin(props("metadata.recovery.strategy", "rebootstrap"), 15_000))
                .containsEntry("metadata.recovery.strategy", "rebootstrap");
        Properties producer = ClientTimeouts.producer(props("linger.ms", "0"), 15_000, 30_000);
        assertThat(producer).containsEntry("max.block.ms", "15000").containsEntry("request.timeout.ms", "15000")
                .containsEntry("delivery.timeout.ms", "30000");
        assertThat(ClientTimeouts.consumer(new Properties(), 15_000))
                .containsEntry("request.timeout.ms", "15000").containsEntry("default.api.timeout.ms", "15000");

        // a long wait: the producer's delivery timeout stays above linger + request timeout, as kafka-clients requires
        assertThat(ClientTimeouts.admin(new Properties(), 60_000))
                .containsEntry("request.timeout.ms", "10000").containsEntry("default.api.timeout.ms", "60000");
        assertThat(ClientTimeouts.producer(props("linger.ms", "5"), 60_000, 30_000))
                .containsEntry("max.block.ms", "60000").containsEntry("request.timeout.ms", "60000")
                .containsEntry("delivery.timeout.ms", "60005");
        assertThat(ClientTimeouts.consumer(new Properties(), 60_000)).containsEntry("default.api.timeout.ms", "60000");

        // a short wait: an Admin's per-call timeout is never below its request timeout
        assertThat(ClientTimeouts.admin(new Properties(), 2_000))
                .containsEntry("request.timeout.ms", "2000").containsEntry("default.api.timeout.ms", "2000");

        // kafka properties set by the application win
        assertThat(ClientTimeouts.consumer(props("default.api.timeout.ms", "7000"), 60_000))
                .containsEntry("default.api.timeout.ms", "7000").containsEntry("request.timeout.ms", "60000");
        assertThat(ClientTimeouts.admin(props("request.timeout.ms", "20000"), 15_000))
                .containsEntry("default.api.timeout.ms", "20000");
        assertThatThrownBy(() -> ClientTimeouts.producer(props("linger.ms", "lots"), 15_000, 30_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linger.ms");
    }

    @Test
    void noBrokerWithinTheWaitIsAJmsExceptionNamingIt() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        WeirConnectionFactory f = new WeirConnectionFactory("127.0.0.1:" + port);
        f.setConnectTimeoutMs(1_000);
        assertThatThrownBy(f::createConnection).isInstanceOf(JMSException.class)
                .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("connectTimeoutMs=1000");
        assertThatThrownBy(f::createContext).isInstanceOf(JMSRuntimeException.class)
                .hasMessageContaining("connectTimeoutMs=1000");
    }

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }
}
