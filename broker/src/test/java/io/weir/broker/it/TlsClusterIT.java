package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.network.BrokerClient;
import io.weir.broker.network.InterBrokerSecurity;
import io.weir.broker.network.TlsContexts;
import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.TestCertificates;
import java.net.InetSocketAddress;
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
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ElectLeadersResponse;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.requests.ShareFetchResponse;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers replicating over a SASL_SSL inter-broker listener (SCRAM-SHA-512, the brokers' user from
 * the initial credentials), with clients on an SSL listener (client certificates) and on the SASL_SSL
 * one: unmodified kafka-clients produce with acks=all (so the replicas must be in sync over the secured
 * link) and consume; a broker forwards ElectLeaders to the controller over the secured listener; ShareFetch
 * names other leaders on the client's listener; and with min.insync.replicas=2 a killed leader loses
 * nothing that was acknowledged. The last test kills a broker, so the order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsClusterIT {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create(dir);
        cluster = EmbeddedWeirCluster.builder().brokers(3)
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
    @Order(1)
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

    @Test
    @Order(2)
    void electLeadersSentToABrokerThatIsNotTheControllerIsForwardedOverTheSecuredListener() throws Exception {
        TopicPartition tp = new TopicPartition("elect-secured", 0);
        try (Admin admin = Admin.create(sslClient())) {
            admin.createTopics(List.of(new NewTopic(tp.topic(), 1, (short) 3))).all().get();
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeTopics(List.of(tp.topic())).allTopicNames().get()
                    .get(tp.topic()).partitions().get(0).isr().size() == 3);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.controllerId() >= 0);
        int other = (cluster.controllerId() + 1) % cluster.size();
        try (BrokerClient client = sslRawClient(other)) {
            ElectLeadersResponse response = (ElectLeadersResponse) client.send(
                    new ElectLeadersRequest.Builder(ElectionType.PREFERRED, List.of(tp), 30_000).build((short) 2));
            assertThat(Errors.forCode(response.data().errorCode())).as("broker %d forwarding to controller %d: %s", other,
                    cluster.controllerId(), response.data()).isEqualTo(Errors.NONE);
            assertThat(Errors.forCode(response.data().replicaElectionResults().get(0).partitionResult().get(0).errorCode()))
                    .as("answered by the controller").isEqualTo(Errors.ELECTION_NOT_NEEDED);
        }
    }

    @Test
    @Order(3)
    void shareFetchNamesTheLeaderOnTheListenerTheRequestCameIn() throws Exception {
        String topic = "share-secured";
        Uuid topicId;
        int leader;
        try (Admin admin = Admin.create(sslClient())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Node l = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(0).leader();
                return l != null && !l.isEmpty();
            });
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            topicId = d.topicId();
            leader = d.partitions().get(0).leader().id();
        }
        int other = (leader + 1) % cluster.size();
        ShareFetchRequestData data = new ShareFetchRequestData().setGroupId("secured-sharers")
                .setMemberId(Uuid.randomUuid().toString()).setShareSessionEpoch(0).setMaxWaitMs(0).setMinBytes(0)
                .setMaxRecords(10).setBatchSize(10);
        ShareFetchRequestData.FetchTopic ft = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
        ft.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        data.topics().add(ft);
        try (BrokerClient client = sslRawClient(other)) {
            ShareFetchResponse response = (ShareFetchResponse) client.send(new ShareFetchRequest.Builder(data).build((short) 1));
            assertThat(response.error()).isEqualTo(Errors.NONE);
            ShareFetchResponseData.PartitionData p = response.data().responses().iterator().next().partitions().get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
            assertThat(p.currentLeader().leaderId()).isEqualTo(leader);
            assertThat(response.data().nodeEndpoints()).singleElement().satisfies(n -> {
                assertThat(n.nodeId()).isEqualTo(leader);
                assertThat(n.port()).as("the leader's CLIENT (SSL) listener, not its inter-broker one")
                        .isEqualTo(cluster.broker(leader).boundPort("CLIENT"));
            });
        }
    }

    @Test
    @Order(4)
    void aKilledLeaderLosesNothingAcknowledgedWithAcksAllAndTwoInSyncReplicas() throws Exception {
        String topic = "survivors";
        int controller = cluster.controllerId();
        // three partitions spread their leaders over the brokers: write to one led by a broker that is not also
        // the controller, so the test kills one role at a time
        TopicPartition tp;
        int victim;
        List<Integer> replicas;
        try (Admin admin = Admin.create(sslClient())) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.describeTopics(List.of(topic))
                    .allTopicNames().get().get(topic).partitions()).allSatisfy(p -> assertThat(p.isr()).hasSize(3)));
            org.apache.kafka.common.TopicPartitionInfo chosen = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().filter(p -> p.leader().id() != controller).findFirst().orElseThrow();
            tp = new TopicPartition(topic, chosen.partition());
            victim = chosen.leader().id();
            replicas = chosen.replicas().stream().map(Node::id).toList();
        }
        Map<String, Object> pp = sslClient();
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        int total = 300;
        List<String> sent = new ArrayList<>();
        java.util.Set<String> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < total; i++) {
                String value = "survivor-" + i;
                sent.add(value);
                producer.send(new ProducerRecord<>(topic, tp.partition(), "k", value), (md, e) -> {
                    if (e == null) {
                        acked.add(value);
                    } else {
                        failures.add(e);
                    }
                });
                if (i == total / 3) {
                    producer.flush();
                    assertThat(acked).hasSize(i + 1);
                    cluster.killBroker(victim);
                }
            }
            producer.flush();
        }
        assertThat(failures).as("writes fail over to the two in-sync replicas left").isEmpty();
        assertThat(acked).hasSize(total);

        Map<String, Object> cp = saslSslClient();
        int survivor = replicas.stream().filter(r -> r != victim).findFirst().orElseThrow();
        cp.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + cluster.broker(survivor).boundPort("BROKER"));
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
                return got.size() >= sent.size();
            });
        }
        assertThat(got).as("every acknowledged record, once, in order (idempotent producer)").isEqualTo(sent);
    }

    /** A raw Kafka-protocol client on broker {@code id}'s SSL listener, with the client certificate. */
    private static BrokerClient sslRawClient(int id) {
        Map<String, String> tls = Map.of(
                "ssl.keystore.location", certs.clientKeystore.toString(), "ssl.keystore.password", TestCertificates.PASSWORD,
                "ssl.keystore.type", "PKCS12",
                "ssl.truststore.location", certs.clientTruststore.toString(), "ssl.truststore.password", TestCertificates.PASSWORD,
                "ssl.truststore.type", "PKCS12");
        InterBrokerSecurity security = new InterBrokerSecurity(SecurityProtocol.SSL, TlsContexts.client(tls, "client"), null, null,
                null);
        return new BrokerClient("tls-cluster-it", new InetSocketAddress("127.0.0.1", cluster.broker(id).boundPort("CLIENT")),
                16 << 20, 60_000, security);
    }
}
