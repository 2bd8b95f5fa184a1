package io.weir.jms.client;

import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireSecurityTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void plaintextUnlessTheProtocolSaysOtherwise() {
        assertThat(WireSecurity.of(props())).isSameAs(WireSecurity.PLAINTEXT);
        assertThat(WireSecurity.of(props("security.protocol", "plaintext"))).isSameAs(WireSecurity.PLAINTEXT);
        assertThatThrownBy(() -> WireSecurity.of(props("security.protocol", "TLS"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("security.protocol");
    }

    @Test
    void saslTakesTheMechanismAndTheJaasCredentials() {
        WireSecurity s = WireSecurity.of(props("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "scram-sha-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bob\" "
                        + "password=\"a \\\"quoted\\\" secret;\";"));
        assertThat(s.protocol()).isEqualTo(SecurityProtocol.SASL_PLAINTEXT);
        assertThat(s.usesTls()).isFalse();
        assertThat(s.usesSasl()).isTrue();
        assertThat(s.mechanism()).isEqualTo("SCRAM-SHA-512");
        assertThat(s.username()).isEqualTo("bob");
        assertThat(s.password()).isEqualTo("a \"quoted\" secret;");
        assertThat(s.toString()).doesNotContain("secret");
        assertThat(WireSecurity.jaasOptions("x.PlainLoginModule required username=alice password=pw;"))
                .containsEntry("username", "alice").containsEntry("password", "pw");
    }

    @Test
    void unusableSaslSettingsNameTheirKey() {
        assertThatThrownBy(() -> WireSecurity.of(props("security.protocol", "SASL_PLAINTEXT", "sasl.jaas.config", "x required;")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sasl.mechanism").hasMessageContaining("GSSAPI");
        assertThatThrownBy(() -> WireSecurity.of(props("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sasl.jaas.config");
        assertThatThrownBy(() -> WireSecurity.of(props("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "x required username=\"alice\";")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password");
    }

    @Test
    void tlsBuildsAContextAndVerifiesHostNamesByDefault() {
        WireSecurity s = WireSecurity.of(props("security.protocol", "SSL"));
        assertThat(s.usesTls()).isTrue();
        assertThat(s.verifyHostname()).isTrue();
        assertThat(s.usesSasl()).isFalse();
        assertThat(WireSecurity.of(props("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "x required username=\"a\" password=\"b\";", "ssl.endpoint.identification.algorithm", ""))
                .verifyHostname()).isFalse();
    }

    @Test
    void unusableStoresNameTheirKey() {
        assertThatThrownBy(() -> WireSecurity.of(props("security.protocol", "SSL", "ssl.truststore.location", "/no/such/store.p12")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssl.truststore.location");
        assertThatThrownBy(() -> WireSecurity.of(props("security.protocol", "SSL", "ssl.keystore.location", "/no/such/store.p12")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssl.keystore.location");
        assertThatThrownBy(() -> WireSecurity.of(props("security.protocol", "SSL", "ssl.truststore.location", "/x.pem",
                "ssl.truststore.type", "PEM"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PEM");
    }
}
