package io.weir.bench.sbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SbsSettingsTest {

    @Test
    void singleBrokerDefaultsAreUnchanged() {
        SbsSettings s = SbsSettings.parse(new String[0]);
        assertThat(s.cluster()).isZero();
        assertThat(s.sizes()).containsExactly(100, 1024);
        assertThat(s.acks()).containsExactly("1", "all");
        assertThat(s.failover()).isFalse();
        assertThat(s.brokerJvmOpts()).isEqualTo("-Xms1g -Xmx1g");
        assertThat(s.out().toString()).endsWith("bench/target/side-by-side.txt");
        assertThat(s.secured()).isFalse();
        assertThat(s.security()).isEqualTo("PLAINTEXT");
    }

    @Test
    void securityModeRunsSaslSslBesidePlaintextWithItsOwnOutput() {
        SbsSettings s = SbsSettings.parse(new String[] {"--security=sasl_ssl", "--quick"});
        assertThat(s.secured()).isTrue();
        assertThat(s.security()).isEqualTo("SASL_SSL");
        assertThat(s.saslMechanism()).isEqualTo("SCRAM-SHA-256");
        assertThat(s.out().toString()).endsWith("bench/target/side-by-side-sasl_ssl.txt");
        assertThat(s.logs().toString()).endsWith("bench/target/side-by-side-sasl_ssl-logs");
        assertThat(String.join("\n", s.describe())).contains("Weir-S, Kafka-S, Kafka-P, Weir-P, Weir-P, Kafka-P, Kafka-S, Weir-S",
                "SASL_SSL with SCRAM-SHA-256");
        assertThat(SbsSettings.parse(new String[] {"--security=SASL_SSL", "--sasl-mechanism=plain"}).saslMechanism()).isEqualTo("PLAIN");
    }

    @Test
    void unsupportedSecurityOptionsAreRefusedByName() {
        for (List<String> bad : List.of(List.of("--security=SSL"), List.of("--security=SASL_SSL", "--sasl-mechanism=GSSAPI"),
                List.of("--security=SASL_SSL", "--cluster=3"))) {
            assertThatThrownBy(() -> SbsSettings.parse(bad.toArray(String[]::new))).as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.get(bad.size() - 1).replaceAll("=.*", ""));
        }
    }

    @Test
    void clusterModeReplicatesAndAddsTheFailoverWorkload() {
        SbsSettings s = SbsSettings.parse(new String[] {"--cluster=3"});
        assertThat(s.clusterRf()).isEqualTo((short) 3);
        assertThat(s.minInsync()).isEqualTo(2);
        assertThat(s.acks()).containsExactly("all");
        assertThat(s.sizes()).containsExactly(1024);
        assertThat(s.partitions()).containsExactly(1, 8);
        assertThat(s.failover()).isTrue();
        assertThat(s.failoverRounds()).isEqualTo(2);
        assertThat(s.latencyRate()).isEqualTo(1000);
        assertThat(s.brokerJvmOpts()).isEqualTo("-Xms512m -Xmx512m");
        assertThat(s.out().toString()).endsWith("bench/target/side-by-side-cluster.txt");
        assertThat(String.join("\n", s.describe())).contains("replication.factor=3 min.insync.replicas=2", "kill -9");

        SbsSettings quick = SbsSettings.parse(new String[] {"--cluster=3", "--quick", "--only=kafka", "--cluster-rf=2", "--min-insync=1"});
        assertThat(quick.partitions()).containsExactly(8);
        assertThat(quick.failoverRounds()).isEqualTo(1);
        assertThat(quick.only()).isEqualTo("kafka");
        assertThat(quick.clusterRf()).isEqualTo((short) 2);
    }

    @Test
    void inconsistentClusterOptionsAreRefusedByName() {
        for (List<String> bad : List.of(List.of("--cluster=1"), List.of("--cluster=3", "--cluster-rf=4"),
                List.of("--cluster=3", "--min-insync=4"), List.of("--failover=true"), List.of("--only=pulsar"),
                List.of("--cluster=3", "--failover-rate=0"))) {
            assertThatThrownBy(() -> SbsSettings.parse(bad.toArray(String[]::new))).as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
