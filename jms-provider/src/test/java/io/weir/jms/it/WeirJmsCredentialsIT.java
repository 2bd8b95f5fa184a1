package io.weir.jms.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.InitialContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JMS credentials reach the broker through SASL: the user and password of
 * {@code createConnection(user, password)}, {@code createContext(user, password)}, the factory's own
 * {@code user}/{@code password} and JNDI; refusals are {@link JMSSecurityException} and
 * {@link JMSSecurityRuntimeException}.
 */
class WeirJmsCredentialsIT {
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0")
                .brokerProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";")
                .brokerProperty("sasl.scram.initial.credentials", "SCRAM-SHA-256=[name=bob,password=bob-secret]")
                .build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String saslBootstrap() {
        return "127.0.0.1:" + cluster.broker(0).boundPort("SASL_PLAINTEXT");
    }

    private static WeirConnectionFactory factory(String mechanism) {
        WeirConnectionFactory f = new WeirConnectionFactory(saslBootstrap());
        f.setKafkaProperty("security.protocol", "SASL_PLAINTEXT");
        f.setKafkaProperty("sasl.mechanism", mechanism);
        return f;
    }

    @Test
    void validCredentialsSendAndReceive() throws Exception {
        for (String[] user : new String[][] {{"PLAIN", "alice", "alice-secret"}, {"SCRAM-SHA-256", "bob", "bob-secret"}}) {
            try (Connection c = factory(user[0]).createConnection(user[1], user[2])) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                Queue q = s.createQueue("cred-" + user[1]);
                MessageConsumer consumer = s.createConsumer(q);
                c.start();
                s.createProducer(q).send(s.createTextMessage("hello " + user[1]));
                assertThat(((TextMessage) consumer.receive(30_000)).getText()).isEqualTo("hello " + user[1]);
            }
        }
    }

    @Test
    void wrongPasswordIsJmsSecurityException() {
        assertThatThrownBy(() -> factory("PLAIN").createConnection("alice", "wrong")).isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("Authentication failed");
        assertThatThrownBy(() -> factory("SCRAM-SHA-256").createConnection("nobody", "x")).isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> factory("PLAIN").createContext("alice", "wrong")).isInstanceOf(JMSSecurityRuntimeException.class)
                .hasMessageContaining("Authentication failed");
    }

    @Test
    void factoryCredentialsServeConnectionsWithoutArguments() throws Exception {
        WeirConnectionFactory f = factory("PLAIN");
        f.setUser("alice");
        f.setPassword("alice-secret");
        try (JMSContext context = f.createContext()) {
            context.createProducer().send(context.createQueue("cred-ctx"), "x");
        }
        f.setPassword("wrong");
        assertThatThrownBy(f::createConnection).isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void jndiFactoryWithCredentials() throws Exception {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "io.weir.jms.jndi.WeirInitialContextFactory");
        env.put("connectionFactory.Secure", saslBootstrap() + "?security.protocol=SASL_PLAINTEXT&sasl.mechanism=SCRAM-SHA-256"
                + "&user=bob&password=bob-secret");
        ConnectionFactory cf = (ConnectionFactory) new InitialContext(env).lookup("Secure");
        try (Connection c = cf.createConnection()) {
            assertThat(c.getMetaData().getJMSProviderName()).isNotEmpty();
        }
        assertThatThrownBy(() -> cf.createConnection("bob", "wrong")).isInstanceOf(JMSSecurityException.class);
    }
}
