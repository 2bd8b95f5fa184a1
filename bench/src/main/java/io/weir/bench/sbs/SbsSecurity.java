package io.weir.bench.sbs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The secured listener both brokers get in {@code --security=SASL_SSL} runs: one listener named {@code CLIENT}
 * with protocol SASL_SSL offering PLAIN and SCRAM-SHA-256, user {@code bench} in both mechanisms, and the same
 * broker certificate (made at run time with {@code bin/weir-certs} in a temporary directory, deleted on
 * {@link #close()}). Brokers talk to themselves on a second, PLAINTEXT listener {@code BROKER}, the same on
 * both systems, so only the clients' traffic is secured. Authorization is off on both (no authorizer), so
 * the figures are the cost of TLS and SASL authentication alone.
 */
final class SbsSecurity implements AutoCloseable {
    static final String PROTOCOL = "SASL_SSL";
    static final List<String> MECHANISMS = List.of("SCRAM-SHA-256", "PLAIN");
    static final String USER = "bench";
    static final String PASSWORD = "bench-secret";
    /** The stores' password: weir-certs' default. */
    static final String STORE_PASSWORD = "weir-secret";

    private final String mechanism;
    private final Path dir;

    private SbsSecurity(String mechanism, Path dir) {
        this.mechanism = mechanism;
        this.dir = dir;
    }

    /** Makes the certificates with {@code <repo>/bin/weir-certs} (the JDK's keytool) in a new temporary directory. */
    static SbsSecurity create(Path repo, String mechanism) throws IOException, InterruptedException {
        if (!MECHANISMS.contains(mechanism)) {
            throw new IllegalArgumentException("sasl mechanism must be one of " + MECHANISMS + ": " + mechanism);
        }
        Path dir = Files.createTempDirectory("weir-sbs-certs-");
        Path log = dir.resolve("weir-certs.log");
        ProcessBuilder pb = new ProcessBuilder("bash", repo.resolve("bin/weir-certs").toString(), "--dir", dir.toString(),
                "--password", STORE_PASSWORD).redirectErrorStream(true).redirectOutput(log.toFile());
        String javaHome = System.getProperty("java.home");
        pb.environment().put("JAVA_HOME", javaHome);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            BrokerProcess.deleteRecursively(dir);
            throw new IOException("bin/weir-certs failed:\n" + out);
        }
        return new SbsSecurity(mechanism, dir);
    }

    String mechanism() {
        return mechanism;
    }

    Path keystore() {
        return dir.resolve("broker.p12");
    }

    Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** What every kafka-clients producer, consumer and Admin of the harness adds to reach the CLIENT listener. */
    Map<String, Object> clientConfigs() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("security.protocol", PROTOCOL);
        c.put("sasl.mechanism", mechanism);
        c.put("sasl.jaas.config", loginModule(mechanism) + " required username=\"" + USER + "\" password=\"" + PASSWORD + "\";");
        c.put("ssl.truststore.location", truststore().toString());
        c.put("ssl.truststore.password", STORE_PASSWORD);
        c.put("ssl.truststore.type", "PKCS12");
        return c;
    }

    /**
     * The listener settings shared by both brokers ({@code clientAddress} and {@code brokerAddress} are host:port):
     * Kafka's property names, which Weir reads too. The caller adds each system's own keys.
     */
    Properties listenerProps(String clientAddress, String brokerAddress) {
        Properties p = new Properties();
        p.setProperty("listeners", "CLIENT://" + clientAddress + ",BROKER://" + brokerAddress);
        p.setProperty("advertised.listeners", "CLIENT://" + clientAddress + ",BROKER://" + brokerAddress);
        p.setProperty("listener.security.protocol.map", "CLIENT:SASL_SSL,BROKER:PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "BROKER");
        p.setProperty("ssl.keystore.location", keystore().toString());
        p.setProperty("ssl.keystore.password", STORE_PASSWORD);
        p.setProperty("ssl.key.password", STORE_PASSWORD);
        p.setProperty("ssl.keystore.type", "PKCS12");
        p.setProperty("ssl.truststore.location", truststore().toString());
        p.setProperty("ssl.truststore.password", STORE_PASSWORD);
        p.setProperty("ssl.truststore.type", "PKCS12");
        p.setProperty("listener.name.client.sasl.enabled.mechanisms", String.join(",", MECHANISMS));
        p.setProperty("listener.name.client.plain.sasl.jaas.config",
                loginModule("PLAIN") + " required user_" + USER + "=\"" + PASSWORD + "\";");
        // Kafka wants a server login context per enabled mechanism; SCRAM's holds no options (users live in the metadata)
        p.setProperty("listener.name.client.scram-sha-256.sasl.jaas.config", loginModule("SCRAM-SHA-256") + " required;");
        return p;
    }

    /** Weir's SCRAM users at startup (kept in ZooKeeper), as {@code sasl.scram.initial.credentials}. */
    String weirScramSeed() {
        return "SCRAM-SHA-256=[name=" + USER + ",password=" + PASSWORD + "]";
    }

    /** Kafka's SCRAM users, written into the metadata log by {@code kafka-storage format --add-scram}. */
    List<String> kafkaFormatArgs() {
        return List.of("--add-scram", "SCRAM-SHA-256=[name=" + USER + ",password=" + PASSWORD + "]");
    }

    String describe() {
        return "security: SASL_SSL listener on both brokers (" + mechanism
                + " login of user '" + USER + "', TLS with one RSA-2048 broker certificate made by bin/weir-certs, "
                + "the JDK's default TLS 1.3 ciphers, no client certificates, no authorizer); inter-broker listener PLAINTEXT on both; "
                + "every workload also runs over PLAINTEXT in the same run for the SASL_SSL/PLAINTEXT cost";
    }

    private static String loginModule(String mechanism) {
        return mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
    }

    @Override
    public void close() {
        BrokerProcess.deleteRecursively(dir);
    }
}
