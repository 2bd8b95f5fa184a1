package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.weir.broker.network.LogCapture;
import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unmodified kafka-clients over a SASL_PLAINTEXT listener (PLAIN users from the JAAS config, SCRAM
 * users from the initial credentials and from AlterUserScramCredentials), beside a PLAINTEXT
 * inter-broker listener; and what the listener does with clients that misbehave.
 */
class SaslIT {
    private static final LogCapture LOGS = LogCapture.install();
    private static final String SASL = "SASL_PLAINTEXT";
    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0")
                .brokerProperty("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512")
                .brokerProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\""
                                + " password=\"admin-secret\" user_admin=\"admin-secret\" user_alice=\"alice-secret\";")
                .brokerProperty("sasl.scram.initial.credentials",
                        "SCRAM-SHA-256=[name=alice,password=alice-scram];SCRAM-SHA-512=[name=carol,password=carol-secret,iterations=8192]")
                .brokerProperty("listener.name.sasl_plaintext.connections.max.reauth.ms", "1500")
                .brokerProperty("sasl.server.authentication.timeout.ms", "3000")
                .build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static String saslBootstrap() {
        return "127.0.0.1:" + cluster.broker(0).boundPort(SASL);
    }

    static Map<String, Object> client(String mechanism, String user, String password) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap());
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SASL);
        p.put(SaslConfigs.SASL_MECHANISM, mechanism);
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";");
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put("default.api.timeout.ms", 20_000);
        return p;
    }

    private static List<String> roundTrip(Map<String, Object> security, String topic, int count) throws Exception {
        Map<String, Object> pp = new HashMap<>(security);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get();
            }
        }
        Map<String, Object> cp = new HashMap<>(security);
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
                return got.size() >= count;
            });
            consumer.commitSync();
        }
        return got;
    }

    @Test
    void plainUsersProduceAndConsume() throws Exception {
        assertThat(roundTrip(client("PLAIN", "alice", "alice-secret"), "sasl-plain", 5)).containsExactly("v0", "v1", "v2", "v3", "v4");
    }

    @Test
    void initialScramUsersProduceAndConsume() throws Exception {
        assertThat(roundTrip(client("SCRAM-SHA-256", "alice", "alice-scram"), "sasl-scram256", 3)).containsExactly("v0", "v1", "v2");
        assertThat(roundTrip(client("SCRAM-SHA-512", "carol", "carol-secret"), "sasl-scram512", 3)).containsExactly("v0", "v1", "v2");
    }

    @Test
    void metadataAdvertisesTheListenerTheRequestCameIn() throws Exception {
        try (Admin sasl = Admin.create(client("PLAIN", "admin", "admin-secret"));
             Admin plain = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            assertThat(sasl.describeCluster().nodes().get()).extracting(Node::port).containsExactly(cluster.broker(0).boundPort(SASL));
            assertThat(plain.describeCluster().nodes().get()).extracting(Node::port)
                    .containsExactly(cluster.broker(0).boundPort("PLAINTEXT"));
        }
    }

    @Test
    void aWrongPasswordIsSaslAuthenticationExceptionAndOneLogLine() {
        int since = LOGS.mark();
        for (String mechanism : List.of("PLAIN", "SCRAM-SHA-256")) {
            try (Admin admin = Admin.create(client(mechanism, "alice", "wrong"))) {
                assertThatThrownBy(() -> admin.describeCluster().clusterId().get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class)
                        .hasMessageContaining("Authentication failed");
            }
        }
        assertThat(LOGS.linesContainingSince(since, "authentication failed")).anyMatch(l -> l.contains("PLAIN"))
                .anyMatch(l -> l.contains("SCRAM-SHA-256")).allMatch(l -> l.contains("WARN") && l.contains("from /127.0.0.1"));
    }

    @Test
    void adminManagesScramCredentials() throws Exception {
        try (Admin admin = Admin.create(client("PLAIN", "admin", "admin-secret"))) {
            admin.alterUserScramCredentials(List.of(
                    new UserScramCredentialUpsertion("bob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "bob-secret"),
                    new UserScramCredentialUpsertion("bob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 5000), "bob-secret")))
                    .all().get();
            Map<String, UserScramCredentialsDescription> described = admin.describeUserScramCredentials(List.of("bob")).all().get();
            assertThat(described.get("bob").credentialInfos()).extracting(ScramCredentialInfo::mechanism, ScramCredentialInfo::iterations)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(ScramMechanism.SCRAM_SHA_512, 4096),
                            org.assertj.core.groups.Tuple.tuple(ScramMechanism.SCRAM_SHA_256, 5000));
            assertThat(admin.describeUserScramCredentials().all().get()).containsKeys("alice", "bob", "carol");
            assertThat(roundTrip(client("SCRAM-SHA-512", "bob", "bob-secret"), "sasl-bob", 1)).containsExactly("v0");

            admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("bob", ScramMechanism.SCRAM_SHA_512))).all().get();
            try (Admin bob = Admin.create(client("SCRAM-SHA-512", "bob", "bob-secret"))) {
                assertThatThrownBy(() -> bob.describeCluster().clusterId().get()).hasCauseInstanceOf(SaslAuthenticationException.class);
            }
            assertThatThrownBy(() -> admin.alterUserScramCredentials(List.of(
                    new UserScramCredentialDeletion("nobody", ScramMechanism.SCRAM_SHA_256))).all().get())
                    .hasCauseInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("nobody")).description("nobody").get())
                    .hasCauseInstanceOf(ResourceNotFoundException.class);
        }
    }

    @Test
    void anUnknownMechanismIsRefusedWithTheEnabledOnesAndClosed() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(saslBootstrap())) {
            int since = LOGS.mark();
            SaslHandshakeResponse r = handshake(socket, "GSSAPI");
            assertThat(r.error()).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM);
            assertThat(r.enabledMechanisms()).containsExactly("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
            assertThat(socket.closedByBroker(Duration.ofSeconds(10))).isTrue();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(LOGS.linesContainingSince(since,
                    "from " + socket.clientAddress() + ": ")).singleElement().asString().contains("unsupported SASL mechanism 'GSSAPI'"));
        }
    }

    @Test
    void clientsReauthenticateWhenTheSessionEnds() throws Exception {
        // sessions last 1.5 s: kafka-clients re-authenticates on the same connections; every send succeeds
        Map<String, Object> pp = new HashMap<>(client("SCRAM-SHA-256", "alice", "alice-scram"));
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        int since = LOGS.mark();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < 8; i++) {
                producer.send(new ProducerRecord<>("sasl-reauth", "v" + i)).get();
                Thread.sleep(500);
            }
        }
        // the broker's line for a session that ran out (other tests of this JVM log their own "expired" lines)
        assertThat(LOGS.linesContainingSince(since, "SASL session of")).isEmpty();
    }

    @Test
    void requestsBeforeAuthenticationCloseTheConnection() throws Exception {
        try (RawKafkaSocket healthy = new RawKafkaSocket(saslBootstrap());
             RawKafkaSocket socket = new RawKafkaSocket(saslBootstrap())) {
            int since = LOGS.mark();
            ApiVersionsResponse versions = (ApiVersionsResponse) socket.call(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertThat(versions.data().apiKeys().find(ApiKeys.SASL_HANDSHAKE.id)).isNotNull();
            socket.send(new org.apache.kafka.common.requests.RequestHeader(ApiKeys.METADATA, (short) 12, "raw", 99),
                    RawKafkaSocket.request(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null)));
            assertThat(socket.closedByBroker(Duration.ofSeconds(10))).isTrue();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(LOGS.linesContainingSince(since,
                    "from " + socket.clientAddress() + ": ")).singleElement().asString().contains("before SASL authentication"));
            // another client on the same listener is unaffected
            assertThat(handshake(healthy, "PLAIN").error()).isEqualTo(Errors.NONE);
            SaslAuthenticateResponse ok = (SaslAuthenticateResponse) healthy.call(ApiKeys.SASL_AUTHENTICATE, (short) 2,
                    new SaslAuthenticateRequestData().setAuthBytes("\u0000admin\u0000admin-secret".getBytes(StandardCharsets.UTF_8)));
            assertThat(ok.error()).isEqualTo(Errors.NONE);
            assertThat(ok.sessionLifetimeMs()).isEqualTo(1500);
        }
    }

    @Test
    void anOversizedTokenBeforeAuthenticationClosesTheConnection() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(saslBootstrap())) {
            int since = LOGS.mark();
            assertThat(handshake(socket, "PLAIN").error()).isEqualTo(Errors.NONE);
            // a frame announcing 10 MB: refused from its size, before the body is buffered
            socket.writeRaw(ByteBuffer.allocate(4 + 64).putInt(10 << 20).array());
            assertThat(socket.closedByBroker(Duration.ofSeconds(10))).isTrue();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(LOGS.linesContainingSince(since,
                    "from " + socket.clientAddress() + ": ")).singleElement().asString().contains("exceeds the limit of 524288"));
        }
    }

    @Test
    void aHandshakeV0TakesRawTokens() throws Exception {
        try (RawKafkaSocket socket = new RawKafkaSocket(saslBootstrap())) {
            SaslHandshakeResponse r = (SaslHandshakeResponse) socket.call(ApiKeys.SASL_HANDSHAKE, (short) 0,
                    new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertThat(r.error()).isEqualTo(Errors.NONE);
            byte[] token = "\u0000alice\u0000alice-secret".getBytes(StandardCharsets.UTF_8);
            socket.writeRaw(ByteBuffer.allocate(4 + token.length).putInt(token.length).put(token).array());
            assertThat(socket.receiveFrame()).isEmpty();
            ApiVersionsResponse versions = (ApiVersionsResponse) socket.call(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertThat(versions.data().errorCode()).isEqualTo(Errors.NONE.code());
            socket.call(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
        }
    }

    @Test
    void aHandshakeThatNeverFinishesIsClosed() throws Exception {
        try (RawKafkaSocket healthy = new RawKafkaSocket(saslBootstrap());
             RawKafkaSocket socket = new RawKafkaSocket(saslBootstrap())) {
            assertThat(handshake(healthy, "PLAIN").error()).isEqualTo(Errors.NONE);
            assertThat(((SaslAuthenticateResponse) healthy.call(ApiKeys.SASL_AUTHENTICATE, (short) 2, new SaslAuthenticateRequestData()
                    .setAuthBytes("\u0000alice\u0000alice-secret".getBytes(StandardCharsets.UTF_8)))).error()).isEqualTo(Errors.NONE);
            int since = LOGS.mark();
            assertThat(handshake(socket, "SCRAM-SHA-256").error()).isEqualTo(Errors.NONE);
            // no SaslAuthenticate follows: closed after sasl.server.authentication.timeout.ms
            assertThat(socket.closedByBroker(Duration.ofSeconds(30))).isTrue();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(LOGS.linesContainingSince(since,
                    "from " + socket.clientAddress() + ": ")).singleElement().asString().contains("not completed within 3000 ms"));
            // the authenticated connection opened at the same time stays
            ApiVersionsResponse versions = (ApiVersionsResponse) healthy.call(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertThat(versions.data().errorCode()).isEqualTo(Errors.NONE.code());
        }
        try (Admin admin = Admin.create(client("PLAIN", "alice", "alice-secret"))) {
            assertThat(admin.describeCluster().clusterId().get()).isNotEmpty();
        }
    }

    private static SaslHandshakeResponse handshake(RawKafkaSocket socket, String mechanism) throws Exception {
        return (SaslHandshakeResponse) socket.call(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism(mechanism));
    }
}
