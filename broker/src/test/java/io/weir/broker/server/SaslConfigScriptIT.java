package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Path HOME = Path.of("").toAbsolutePath().getParent();
    private static final Pattern LISTENING = Pattern.compile("Listener SASL_PLAINTEXT .* on /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void usersLogInWithPlainAndScramFromTheFirstStart() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(HOME.resolve("bin/weir-server").toString(),
                HOME.resolve("config/server-sasl.properties").toString(),
                "--override", "listeners=SASL_PLAINTEXT://127.0.0.1:0",
                "--override", "log.dirs=" + dir.resolve("logs"),
                "--override", "zookeeper.embedded.data.dir=" + dir.resolve("zookeeper"),
                "--override", "offsets.topic.num.partitions=3",
                "--override", "group.initial.rebalance.delay.ms=0").redirectErrorStream(true);
        pb.environment().put("WEIR_SKIP_BUILD", "1");
        pb.environment().put("WEIR_HEAP_OPTS", "-Xmx192m");
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int port = -1;
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
                if (line.contains("Weir broker 0 started")) {
                    break;
                }
            }
            assertThat(port).as("listener line in output:\n%s", seen).isPositive();
            Thread drain = new Thread(() -> {
                try {
                    out.lines().forEach(l -> { });
                } catch (java.io.UncheckedIOException closed) {
                    // the test closed the server's output on its way out
                }
            }, "drain");
            drain.setDaemon(true);
            drain.start();
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
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
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
