package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped TLS setup end to end: {@code bin/weir-certs} makes a CA, the broker's keystore, the
 * truststore and a client keystore (and keeps them on a second run), then {@code bin/weir-server
 * config/server-ssl.properties} (ports, directories and the stores' location overridden) serves an Admin
 * on the SSL listener authenticated by its client certificate (a super user) and a producer and consumer on
 * the SASL_SSL listener as alice with SCRAM-SHA-256, each with the client settings the script wrote. A client
 * without a certificate, a wrong password and alice without an ACL are refused.
 */
class SslConfigScriptIT {
    private static final Path HOME = ScriptedServer.HOME;

    @TempDir
    Path dir;

    @Test
    void certificateScriptAndShippedConfigServeSslAndSaslSslClients() throws Exception {
        Path certs = dir.resolve("certs");
        String made = run(HOME.resolve("bin/weir-certs").toString(), "--dir", certs.toString(), "--client", "admin");
        assertThat(made).contains("made the CA", "made the broker keystore", "security.protocol=SSL", "security.protocol=SASL_SSL");
        byte[] brokerStore = Files.readAllBytes(certs.resolve("broker.p12"));
        String again = run(HOME.resolve("bin/weir-certs").toString(), "--dir", certs.toString(), "--client", "admin");
        assertThat(again).contains("kept the CA", "kept the broker keystore", "kept the client keystore");
        assertThat(Files.readAllBytes(certs.resolve("broker.p12"))).as("a second run keeps the stores").isEqualTo(brokerStore);

        try (ScriptedServer server = new ScriptedServer("config/server-ssl.properties", dir,
                "listeners=SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
                "ssl.keystore.location=" + certs.resolve("broker.p12"),
                "ssl.truststore.location=" + certs.resolve("truststore.p12"))) {
            Map<String, Object> ssl = client(certs.resolve("client-ssl.properties"), server.port("SSL"));
            Map<String, Object> saslSsl = client(certs.resolve("client-sasl-ssl.properties"), server.port("SASL_SSL"));
            assertThat(ssl).containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL")
                    .containsKey(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
            assertThat(saslSsl).containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL")
                    .containsEntry(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-256");

            // the client certificate's principal, User:CN=admin, is a super user: it creates the topic and alice's ACLs
            ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, "secured", PatternType.LITERAL);
            try (Admin admin = Admin.create(ssl)) {
                admin.createTopics(List.of(new NewTopic("secured", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> alice = producer(saslSsl);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("secured", "k", "no ACL yet")).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            try (Admin admin = Admin.create(ssl)) {
                List<AclBinding> acls = new ArrayList<>();
                for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.READ)) {
                    acls.add(new AclBinding(topic, new AccessControlEntry("User:alice", "*", op, AclPermissionType.ALLOW)));
                }
                admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            }
            List<String> sent = new ArrayList<>();
            awaitAclApplied(alice);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice)) {
                for (int i = 0; i < 5; i++) {
                    sent.add("over SASL_SSL " + i);
                    producer.send(new ProducerRecord<>("secured", "k", sent.get(i))).get(30, TimeUnit.SECONDS);
                }
            }
            Map<String, Object> cp = new HashMap<>(saslSsl);
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            List<String> got = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
                TopicPartition tp = new TopicPartition("secured", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                for (int i = 0; i < 120 && got.size() < sent.size(); i++) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        got.add(r.value());
                    }
                }
            }
            assertThat(got).isEqualTo(sent);

            // PLAIN works on the same listener; a wrong password and a missing client certificate are refused
            Map<String, Object> plain = new HashMap<>(saslSsl);
            plain.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            plain.put(SaslConfigs.SASL_JAAS_CONFIG,
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\";");
            try (Admin admin = Admin.create(plain)) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("secured");
            }
            Map<String, Object> wrong = new HashMap<>(saslSsl);
            wrong.put(SaslConfigs.SASL_JAAS_CONFIG,
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"not-hers\";");
            try (Admin admin = Admin.create(wrong)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
            }
            Map<String, Object> noCertificate = new HashMap<>(ssl);
            noCertificate.remove(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
            noCertificate.remove(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
            noCertificate.remove(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG);
            try (Admin admin = Admin.create(noCertificate)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SslAuthenticationException.class);
            }
            server.stop();
        }
    }

    /** ACLs reach the authorizer through a ZooKeeper watch: wait, bounded, until alice may write. */
    private static void awaitAclApplied(Map<String, Object> alice) throws Exception {
        Map<String, Object> probe = new HashMap<>(alice);
        probe.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        for (int i = 0; ; i++) {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(probe)) {
                producer.partitionsFor("secured");
                return;
            } catch (TopicAuthorizationException e) {
                if (i >= 60) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static Map<String, Object> producer(Map<String, Object> security) {
        Map<String, Object> pp = new HashMap<>(security);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return pp;
    }

    /** The client settings the script wrote, pointed at {@code port}. */
    private static Map<String, Object> client(Path file, int port) throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        }
        Map<String, Object> c = new HashMap<>();
        props.stringPropertyNames().forEach(k -> c.put(k, props.getProperty(k)));
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        c.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        c.put("default.api.timeout.ms", 30_000);
        return c;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(p.exitValue()).as("exit code of %s, output:\n%s", String.join(" ", command), out).isZero();
        return out;
    }
}
