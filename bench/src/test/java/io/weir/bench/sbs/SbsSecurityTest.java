package io.weir.bench.sbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SbsSecurityTest {

    /** The repository root: the module's tests run in bench/. */
    private static Path repo() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("bin/weir-certs")) ? here : here.getParent();
    }

    @Test
    void bothBrokersGetTheSameSaslSslListenerAndTheClientsLogInToIt() throws Exception {
        Path dir;
        try (SbsSecurity sec = SbsSecurity.create(repo(), "SCRAM-SHA-256")) {
            dir = sec.keystore().getParent();
            KeyStore broker = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(sec.keystore())) {
                broker.load(in, SbsSecurity.STORE_PASSWORD.toCharArray());
            }
            X509Certificate cert = (X509Certificate) broker.getCertificate("broker");
            assertThat(cert.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("127.0.0.1"));
            assertThat(sec.truststore()).exists();

            Properties p = sec.listenerProps("127.0.0.1:1001", "127.0.0.1:1002");
            assertThat(p.getProperty("listeners")).isEqualTo("CLIENT://127.0.0.1:1001,BROKER://127.0.0.1:1002");
            assertThat(p.getProperty("listener.security.protocol.map")).isEqualTo("CLIENT:SASL_SSL,BROKER:PLAINTEXT");
            assertThat(p.getProperty("inter.broker.listener.name")).isEqualTo("BROKER");
            assertThat(p.getProperty("listener.name.client.plain.sasl.jaas.config"))
                    .contains("user_" + SbsSecurity.USER + "=\"" + SbsSecurity.PASSWORD + "\"");
            assertThat(sec.weirScramSeed()).isEqualTo(sec.kafkaFormatArgs().get(1));

            assertThat(sec.clientConfigs()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                    .containsEntry("ssl.truststore.location", sec.truststore().toString());
            assertThat((String) sec.clientConfigs().get("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.scram.ScramLoginModule")
                    .contains("username=\"" + SbsSecurity.USER + "\"");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void anUnknownMechanismIsRefusedBeforeAnyCertificateIsMade() {
        assertThatThrownBy(() -> SbsSecurity.create(repo(), "GSSAPI")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GSSAPI").hasMessageContaining(List.of("SCRAM-SHA-256", "PLAIN").toString());
    }
}
