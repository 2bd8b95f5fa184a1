package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.broker.testing.KafkaDistribution;
import io.weir.broker.testing.KafkaDistribution.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients nobody here wrote over the secured listeners, with the certificates {@code bin/weir-certs}
 * makes: Kafka's {@code kafka-configs} adds a SCRAM user and describes it, {@code kafka-acls} grants it a topic and
 * {@code kafka-topics} lists topics, all over SASL_SSL with a command-config file; kcat
 * (librdkafka) produces with SCRAM-SHA-256 and consumes with PLAIN over SASL_SSL, trusting the CA as a
 * PEM file, and reads metadata over SSL. kcat is skipped (with the reason) when absent or built
 * without SSL/SASL.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SecureToolsIT {
    private static final Path HOME = Path.of("").toAbsolutePath().getParent();
    private static final String PASSWORD = "weir-secret";
    private static final String TOPIC = "secure-orders";

    @TempDir
    Path dir;

    @Test
    void kafkaToolsAndKcatOverSaslSslAndSsl() throws Exception {
        Path certs = dir.resolve("certs");
        exec(Duration.ofSeconds(120), null, HOME.resolve("bin/weir-certs").toString(), "--dir", certs.toString());
        Path caPem = dir.resolve("ca.pem");
        exec(Duration.ofSeconds(60), null, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-exportcert",
                "-rfc", "-alias", "ca", "-keystore", certs.resolve("truststore.p12").toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-file", caPem.toString());
        assertThat(Files.readString(caPem)).startsWith("-----BEGIN CERTIFICATE-----");

        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("listeners", "SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0")
                .brokerProperty("inter.broker.listener.name", "SASL_SSL")
                .brokerProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256")
                .brokerProperty("ssl.keystore.location", certs.resolve("broker.p12").toString())
                .brokerProperty("ssl.keystore.password", PASSWORD)
                .brokerProperty("ssl.keystore.type", "PKCS12")
                .brokerProperty("ssl.truststore.location", certs.resolve("truststore.p12").toString())
                .brokerProperty("ssl.truststore.password", PASSWORD)
                .brokerProperty("ssl.truststore.type", "PKCS12")
                .brokerProperty("listener.name.sasl_ssl.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256")
                .brokerProperty("listener.name.sasl_ssl.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-secret\""
                                + " user_alice=\"alice-secret\";")
                .brokerProperty("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"admin-secret\";")
                .brokerProperty("sasl.scram.initial.credentials", "SCRAM-SHA-256=[name=admin,password=admin-secret]")
                .brokerProperty("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer")
                .brokerProperty("super.users", "User:admin")
                .brokerProperty("allow.everyone.if.no.acl.found", "false")
                .build().start()) {
            String saslSsl = "127.0.0.1:" + cluster.broker(0).boundPort("SASL_SSL");
            String ssl = "127.0.0.1:" + cluster.broker(0).boundPort("SSL");
            Path admin = dir.resolve("admin.properties");
            Files.writeString(admin, String.join("\n", "security.protocol=SASL_SSL", "sasl.mechanism=PLAIN",
                    "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\""
                            + " password=\"admin-secret\";",
                    "ssl.truststore.location=" + certs.resolve("truststore.p12"), "ssl.truststore.password=" + PASSWORD,
                    "ssl.truststore.type=PKCS12", ""));

            // the Kafka tools, as the super user over SASL_SSL
            Run scram = tool("org.apache.kafka.tools.ConfigCommand", saslSsl, admin, "--alter", "--entity-type", "users",
                    "--entity-name", "alice", "--add-config", "SCRAM-SHA-256=[iterations=4096,password=alice-scram]");
            assertThat(scram.exitCode()).as(scram.output()).isZero();
            Run described = tool("org.apache.kafka.tools.ConfigCommand", saslSsl, admin, "--describe", "--entity-type", "users",
                    "--entity-name", "alice");
            assertThat(described.exitCode()).as(described.output()).isZero();
            assertThat(described.output()).contains("user-principal 'alice'", "SCRAM-SHA-256=iterations=4096");
            Run granted = tool("org.apache.kafka.tools.AclCommand", saslSsl, admin, "--add", "--allow-principal", "User:alice",
                    "--operation", "Read", "--operation", "Write", "--operation", "Describe", "--operation", "Create",
                    "--topic", TOPIC);
            assertThat(granted.exitCode()).as(granted.output()).isZero();
            assertThat(granted.output()).contains("principal=User:alice", "operation=WRITE", "operation=CREATE");

            // kcat (librdkafka) with the CA as PEM
            String features = kcatFeatures();
            Assumptions.assumeTrue(features != null && features.contains("ssl") && features.contains("sasl_scram")
                            && features.contains("sasl_plain"),
                    "kcat missing or without SSL/SASL support (builtin.features: " + features + "); skipping the kcat part");
            List<String> plainAlice = List.of("-b", saslSsl, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=PLAIN",
                    "-X", "sasl.username=alice", "-X", "sasl.password=alice-secret", "-X", "ssl.ca.location=" + caPem);
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                lines.append("k").append(i).append(":secret ").append(i).append('\n');
            }
            List<String> scramAlice = List.of("-b", saslSsl, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-256",
                    "-X", "sasl.username=alice", "-X", "sasl.password=alice-scram", "-X", "ssl.ca.location=" + caPem);
            kcat(lines.toString(), scramAlice, "-P", "-t", TOPIC, "-K:", "-X", "acks=all");
            String consumed = kcat(null, plainAlice, "-C", "-t", TOPIC, "-o", "beginning", "-e", "-q", "-f", "%k=%s@%o\\n");
            assertThat(consumed.lines().toList()).hasSize(20).contains("k0=secret 0@0", "k19=secret 19@19");
            // kcat created the topic (alice may create it); kafka-topics lists it
            Run listed = tool("org.apache.kafka.tools.TopicCommand", saslSsl, admin, "--list");
            assertThat(listed.output().lines()).as(listed.output()).contains(TOPIC);
            // SSL only (no client certificate: ANONYMOUS, who may see the broker but no topic)
            String metadata = kcat(null, List.of("-b", ssl, "-X", "security.protocol=SSL", "-X", "ssl.ca.location=" + caPem), "-L");
            assertThat(metadata).contains("1 brokers:").doesNotContain(TOPIC);
        }
    }

    private static Run tool(String mainClass, String bootstrap, Path commandConfig, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--command-config", commandConfig.toString()));
        all.addAll(List.of(args));
        return KafkaDistribution.runTool(Duration.ofSeconds(120), mainClass, all.toArray(String[]::new));
    }

    /** kcat's builtin.features, or null when kcat is not installed. */
    private static String kcatFeatures() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/kcat")) && !Files.isExecutable(Path.of("/usr/local/bin/kcat"))) {
            return null;
        }
        String version = exec(Duration.ofSeconds(30), null, "kcat", "-V");
        int at = version.indexOf("builtin.features=");
        return at < 0 ? "" : version.substring(at).split("[\\s)]")[0];
    }

    private static String kcat(String stdin, List<String> connection, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kcat"));
        command.addAll(connection);
        command.addAll(List.of(args));
        return exec(Duration.ofSeconds(60), stdin, command.toArray(String[]::new));
    }

    private static String exec(Duration timeout, String stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish: " + out);
        }
        assertThat(p.exitValue()).as("%s exited with output:%n%s", String.join(" ", command), out).isZero();
        return out;
    }
}
