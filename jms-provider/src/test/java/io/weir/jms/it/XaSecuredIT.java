package io.weir.jms.it;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.TestCertificates;
import io.weir.jms.WeirXAConnectionFactory;
import io.weir.jms.client.TwoPhaseClient;
import io.weir.jms.client.WireSecurity;
import jakarta.jms.MessageProducer;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import org.apache.kafka.common.protocol.Errors;
import io.weir.jms.xa.XidKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * XA over secured listeners: the two-phase requests the provider sends itself (InitProducerId v6, Produce,
 * EndTxn, ...) go over TLS with a SCRAM-SHA-256 login on a SASL_SSL listener, and over TLS with a client
 * certificate on an SSL listener, secured by the same kafka-clients settings as the connection's producers and
 * consumers. A prepared branch commits, another rolls back; a read_committed reader sees only the committed one. A
 * wrong password is refused at once (SASL_AUTHENTICATION_FAILED), not retried until the timeout.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class XaSecuredIT {

    private static EmbeddedWeirCluster cluster;
    private static TestCertificates certs;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        certs = TestCertificates.create(dir);
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("listeners", "PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0")
                .brokerProperty("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-256")
                .brokerProperty("sasl.scram.initial.credentials", "SCRAM-SHA-256=[name=bob,password=bob-secret]")
                .brokerProperty("ssl.keystore.location", certs.brokerKeystore.toString())
                .brokerProperty("ssl.keystore.password", TestCertificates.PASSWORD)
                .brokerProperty("ssl.keystore.type", "PKCS12")
                .brokerProperty("ssl.truststore.location", certs.brokerTruststore.toString())
                .brokerProperty("ssl.truststore.password", TestCertificates.PASSWORD)
                .brokerProperty("ssl.truststore.type", "PKCS12")
                .brokerProperty("listener.name.ssl.ssl.client.auth", "required")
                .brokerProperty("offsets.topic.replication.factor", "1")
                .brokerProperty("transaction.state.log.replication.factor", "1")
                .brokerProperty("transaction.state.log.min.isr", "1")
                .build().start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void twoPhaseCommitOverSaslSsl() throws Exception {
        WeirXAConnectionFactory f = secured("SASL_SSL");
        f.setKafkaProperty("sasl.mechanism", "SCRAM-SHA-256");
        try (XAConnection c = f.createXAConnection("bob", "bob-secret")) {
            commitOneRollBackOne(c, "xa-sasl-ssl");
        }
    }

    @Test
    void twoPhaseCommitOverSslWithAClientCertificate() throws Exception {
        WeirXAConnectionFactory f = secured("SSL");
        f.setKafkaProperty("ssl.keystore.location", certs.clientKeystore.toString());
        f.setKafkaProperty("ssl.keystore.password", TestCertificates.PASSWORD);
        f.setKafkaProperty("ssl.keystore.type", "PKCS12");
        try (XAConnection c = f.createXAConnection()) {
            commitOneRollBackOne(c, "xa-ssl");
        }
    }

    @Test
    void aRefusedLoginIsReportedAtOnceNotRetried() {
        Properties p = new Properties();
        p.setProperty("security.protocol", "SASL_SSL");
        p.setProperty("sasl.mechanism", "SCRAM-SHA-256");
        p.setProperty("sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bob\" password=\"not-his\";");
        p.setProperty("ssl.truststore.location", certs.clientTruststore.toString());
        p.setProperty("ssl.truststore.password", TestCertificates.PASSWORD);
        p.setProperty("ssl.truststore.type", "PKCS12");
        // a timeout far beyond the test's: only an unretried refusal ends the call in time
        try (TwoPhaseClient client = new TwoPhaseClient("127.0.0.1:" + cluster.broker(0).boundPort("SASL_SSL"), "xa-secured-it",
                3_600_000, System::currentTimeMillis, WireSecurity.of(p))) {
            assertThatThrownBy(() -> client.initProducerId("refused-" + UUID.randomUUID(), false))
                    .isInstanceOfSatisfying(TwoPhaseClient.TwoPhaseException.class, e -> {
                        assertThat(e.error()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED);
                        assertThat(e.getMessage()).contains("SCRAM-SHA-256", "bob");
                    });
        }
    }

    private static WeirXAConnectionFactory secured(String listener) {
        WeirXAConnectionFactory f = new WeirXAConnectionFactory("127.0.0.1:" + cluster.broker(0).boundPort(listener));
        f.setXaResourceId("rm-" + listener + "-" + UUID.randomUUID().toString().substring(0, 8));
        f.setTopicReplicationFactor((short) 1);
        f.setKafkaProperty("security.protocol", listener);
        f.setKafkaProperty("ssl.truststore.location", certs.clientTruststore.toString());
        f.setKafkaProperty("ssl.truststore.password", TestCertificates.PASSWORD);
        f.setKafkaProperty("ssl.truststore.type", "PKCS12");
        return f;
    }

    private static void commitOneRollBackOne(XAConnection c, String prefix) throws Exception {
        String queue = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        XASession s = c.createXASession();
        XAResource r = s.getXAResource();
        MessageProducer p = s.createProducer(s.createQueue(queue));

        Xid rolled = xid(prefix + "-rolled");
        r.start(rolled, XAResource.TMNOFLAGS);
        p.send(s.createTextMessage("rolled back"));
        r.end(rolled, XAResource.TMSUCCESS);
        assertThat(r.prepare(rolled)).isEqualTo(XAResource.XA_OK);
        r.rollback(rolled);

        Xid committed = xid(prefix + "-committed");
        r.start(committed, XAResource.TMNOFLAGS);
        p.send(s.createTextMessage("committed"));
        r.end(committed, XAResource.TMSUCCESS);
        assertThat(r.prepare(committed)).isEqualTo(XAResource.XA_OK);
        r.commit(committed, false);

        assertThat(readCommitted(queue)).containsExactly("committed");
    }

    private static Xid xid(String gtrid) {
        return new XidKey(99, (gtrid + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8), new byte[]{7});
    }

    /** What a read_committed reader sees in {@code topic} (over the PLAINTEXT listener), up to its last stable offset. */
    private static List<String> readCommitted(String topic) {
        return CommittedReads.readCommitted(cluster.bootstrapServers(), topic);
    }
}
