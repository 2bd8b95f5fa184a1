package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code config/server-sasl.properties} started by {@code bin/weir-server} (ports and
 * directories overridden to ephemeral ones): admin and alice log in with PLAIN and with SCRAM-SHA-256
 * right after the first start; a wrong password is refused.
 */
class SaslConfigScriptIT {
    @TempDir
    Path dir;

    @Test
    void usersLogInWithPlainAndScramFromTheFirstStart() throws Exception {
        try (ScriptedServer server = new ScriptedServer("config/server-sasl.properties", dir,
                "listeners=SASL_PLAINTEXT://127.0.0.1:0")) {
            int port = server.port("SASL_PLAINTEXT");
            String bootstrap = "127.0.0.1:" + port;

            for (String mechanism : List.of("PLAIN", "SCRAM-SHA-256")) {
                for (String[] user : new String[][] {{"admin", "admin-secret"}, {"alice", "alice-secret"}}) {
                    try (Admin admin = Admin.create(client(bootstrap, mechanism, user[0], user[1]))) {
                        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).as("%s via %s", user[0], mechanism)
                                .isNotNull();
                    }
                }
                try (Admin wrong = Admin.create(client(bootstrap, mechanism, "alice", "not-her-password"))) {
                    assertThatThrownBy(() -> wrong.listTopics().names().get(30, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
                }
            }

            // the super user produces and consumes
            Map<String, Object> admin = client(bootstrap, "SCRAM-SHA-256", "admin", "admin-secret");
            try (Admin a = Admin.create(admin)) {
                a.createTopics(List.of(new NewTopic("secured", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> pp = new HashMap<>(admin);
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
                producer.send(new ProducerRecord<>("secured", "k", "over SASL")).get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> cp = new HashMap<>(admin);
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
                TopicPartition tp = new TopicPartition("secured", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                ConsumerRecords<String, String> records = ConsumerRecords.empty();
                for (int i = 0; i < 60 && records.isEmpty(); i++) {
                    records = consumer.poll(Duration.ofMillis(500));
                }
                assertThat(records.iterator().next().value()).isEqualTo("over SASL");
            }
            server.stop();
        }
    }

    private static Map<String, Object> client(String bootstrap, String mechanism, String user, String password) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        c.put(SaslConfigs.SASL_MECHANISM, mechanism);
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        c.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";");
        c.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        c.put("default.api.timeout.ms", 30_000);
        return c;
    }
}
