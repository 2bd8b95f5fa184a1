package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers replicating over a SASL_SSL inter-broker listener (SCRAM-SHA-512, the brokers' user from
 * the initial credentials), with clients on an SSL listener (client certificates) and on the SASL_SSL
 * one: unmodified kafka-clients produce with acks=all (so both replicas must be in sync over the
 * secured link) and consume.
 */
class TlsClusterIT {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create(dir);
        cluster = EmbeddedWeirCluster.builder().brokers(2)
                .brokerProperty("listeners", "CLIENT://127.0.0.1:0,BROKER://127.0.0.1:0")
                .brokerProperty("listener.security.protocol.map", "CLIENT:SSL,BROKER:SASL_SSL")
                .brokerProperty("inter.broker.listener.name", "BROKER")
                .brokerProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512")
                .brokerProperty("listener.name.broker.sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .brokerProperty("listener.name.broker.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"broker-secret\";")
                .brokerProperty("sasl.scram.initial.credentials", "SCRAM-SHA-512=[name=broker,password=broker-secret]")
                .brokerProperty("ssl.keystore.location", certs.brokerKeystore.toString())
                .brokerProperty("ssl.keystore.password", TestCertificates.PASSWORD)
                .brokerProperty("ssl.keystore.type", "PKCS12")
                .brokerProperty("ssl.truststore.location", certs.brokerTruststore.toString())
                .brokerProperty("ssl.truststore.password", TestCertificates.PASSWORD)
                .brokerProperty("ssl.truststore.type", "PKCS12")
                .brokerProperty("listener.name.client.ssl.client.auth", "required")
                // the brokers trust their own certificate as clients of each other
                .brokerProperty("listener.name.broker.ssl.truststore.location", certs.clientTruststore.toString())
                .brokerProperty("offsets.topic.replication.factor", "2")
                .build().start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<String, Object> sslClient() {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()); // CLIENT, the first listener
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        c.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certs.clientTruststore.toString());
        c.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        c.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        c.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, certs.clientKeystore.toString());
        c.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        c.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        c.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        c.put("default.api.timeout.ms", 30_000);
        return c;
    }

    private static Map<String, Object> saslSslClient() {
        Map<String, Object> c = sslClient();
        c.remove(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
        c.remove(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
        c.remove(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG);
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + cluster.broker(0).boundPort("BROKER"));
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        c.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        c.put(SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"broker-secret\";");
        return c;
    }

    @Test
    void replicatesOverSaslSslAndServesSslAndSaslSslClients() throws Exception {
        try (Admin admin = Admin.create(sslClient())) {
            admin.createTopics(List.of(new NewTopic("secure-replicated", 1, (short) 2)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                TopicDescription d = admin.describeTopics(List.of("secure-replicated")).allTopicNames().get().get("secure-replicated");
                assertThat(d.partitions().get(0).isr()).hasSize(2);
            });
        }
        Map<String, Object> pp = sslClient();
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < 20; i++) {
                sent.add("secret-" + i);
                producer.send(new ProducerRecord<>("secure-replicated", "k", "secret-" + i)).get();
            }
        }
        for (Map<String, Object> security : List.of(sslClient(), saslSslClient())) {
            Map<String, Object> cp = new HashMap<>(security);
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            List<String> got = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
                TopicPartition tp = new TopicPartition("secure-replicated", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        got.add(r.value());
                    }
                    return got.size() >= sent.size();
                });
            }
            assertThat(got).isEqualTo(sent);
        }
    }
}
