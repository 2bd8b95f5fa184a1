package io.weir.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.network.SaslMechanismServer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;
import org.junit.jupiter.api.Test;

/** The SASL mechanism servers and the settings they come from, without a network. */
class SaslServersTest {

    private static byte[] plain(String authzid, String user, String password) {
        return (authzid + "\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainAcceptsConfiguredUsersOnly() {
        PlainServer ok = new PlainServer(Map.of("alice", "alice-secret"));
        assertThat(ok.evaluate(plain("", "alice", "alice-secret"))).isEmpty();
        assertThat(ok.isComplete()).isTrue();
        assertThat(ok.username()).isEqualTo("alice");
        assertThatThrownBy(() -> new PlainServer(Map.of("alice", "alice-secret")).evaluate(plain("", "alice", "wrong")))
                .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("Invalid username or password");
        assertThatThrownBy(() -> new PlainServer(Map.of("alice", "alice-secret")).evaluate(plain("", "bob", "alice-secret")))
                .isInstanceOf(SaslAuthenticationException.class);
        assertThatThrownBy(() -> new PlainServer(Map.of("alice", "alice-secret")).evaluate(plain("bob", "alice", "alice-secret")))
                .hasMessageContaining("authorization id");
        assertThatThrownBy(() -> new PlainServer(Map.of()).evaluate("no separators".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("expected 3 fields");
    }

    @Test
    void scramCompletesWithTheRightPasswordAndSignsTheServerFinal() throws Exception {
        ScramMechanism m = ScramMechanism.SCRAM_SHA_256;
        ScramFormatter f = new ScramFormatter(m);
        ScramCredential credential = f.generateCredential("pw", 4096);
        ScramServer server = new ScramServer(m, (u, mech) -> u.equals("alice") && mech == m ? credential : null);

        ClientFirstMessage first = new ClientFirstMessage("alice", f.secureRandomString(), Map.of());
        ServerFirstMessage serverFirst = new ServerFirstMessage(server.evaluate(first.toBytes()));
        assertThat(serverFirst.nonce()).startsWith(first.nonce());
        assertThat(serverFirst.iterations()).isEqualTo(4096);
        byte[] salted = f.saltedPassword("pw", serverFirst.salt(), serverFirst.iterations());
        ClientFinalMessage last = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), serverFirst.nonce());
        last.proof(f.clientProof(salted, first, serverFirst, last));
        ServerFinalMessage serverFinal = new ServerFinalMessage(server.evaluate(last.toBytes()));
        assertThat(serverFinal.serverSignature()).isEqualTo(f.serverSignature(f.serverKey(salted), first, serverFirst, last));
        assertThat(server.isComplete()).isTrue();
        assertThat(server.username()).isEqualTo("alice");
    }

    @Test
    void scramAcceptsLibrdkafkasRepeatedClientNonce() throws Exception {
        // librdkafka sends r=<client nonce><server-first nonce> in its client-final message, as Kafka brokers accept
        ScramMechanism m = ScramMechanism.SCRAM_SHA_256;
        ScramFormatter f = new ScramFormatter(m);
        ScramCredential credential = f.generateCredential("pw", 4096);
        ScramServer server = new ScramServer(m, (u, mech) -> credential);
        ClientFirstMessage first = new ClientFirstMessage("alice", "-./09:;<=>?@AZ[]^_`az{|}~", Map.of());
        ServerFirstMessage serverFirst = new ServerFirstMessage(server.evaluate(first.toBytes()));
        byte[] salted = f.saltedPassword("pw", serverFirst.salt(), serverFirst.iterations());
        ClientFinalMessage last = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), first.nonce() + serverFirst.nonce());
        last.proof(f.clientProof(salted, first, serverFirst, last));
        server.evaluate(last.toBytes());
        assertThat(server.isComplete()).isTrue();
    }

    @Test
    void scramRefusesAWrongProofAnUnknownUserAndABadNonce() throws Exception {
        ScramMechanism m = ScramMechanism.SCRAM_SHA_512;
        ScramFormatter f = new ScramFormatter(m);
        ScramCredential credential = f.generateCredential("pw", 4096);
        ScramServer server = new ScramServer(m, (u, mech) -> u.equals("alice") ? credential : null);
        ClientFirstMessage first = new ClientFirstMessage("alice", f.secureRandomString(), Map.of());
        ServerFirstMessage serverFirst = new ServerFirstMessage(server.evaluate(first.toBytes()));
        byte[] salted = f.saltedPassword("wrong", serverFirst.salt(), serverFirst.iterations());
        ClientFinalMessage last = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), serverFirst.nonce());
        last.proof(f.clientProof(salted, first, serverFirst, last));
        assertThatThrownBy(() -> server.evaluate(last.toBytes())).isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("Invalid user credentials");
        assertThat(server.isComplete()).isFalse();

        assertThatThrownBy(() -> new ScramServer(m, (u, mech) -> null).evaluate(
                new ClientFirstMessage("nobody", "n1", Map.of()).toBytes())).isInstanceOf(SaslAuthenticationException.class);

        ScramServer nonce = new ScramServer(m, (u, mech) -> credential);
        nonce.evaluate(new ClientFirstMessage("alice", "abc", Map.of()).toBytes());
        ClientFinalMessage forged = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), "abcNOT-THE-SERVER-NONCE");
        forged.proof(new byte[64]);
        assertThatThrownBy(() -> nonce.evaluate(forged.toBytes())).hasMessageContaining("nonce");

        assertThatThrownBy(() -> new ScramServer(m, (u, mech) -> credential).evaluate("garbage".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("invalid SCRAM-SHA-512 message");
    }

    @Test
    void settingsReadKafkasKeysWithTheListenerPrefixFirst() {
        Map<String, String> props = new HashMap<>();
        props.put("sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name.client.sasl.enabled.mechanisms", "scram-sha-256, PLAIN");
        props.put("listener.name.client.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"admin\" password=\"a\" user_admin=\"a\" user_alice=\"with \\\"quote\\\"\";");
        props.put("connections.max.reauth.ms", "60000");
        SaslSettings s = SaslSettings.of(props, "CLIENT", null);
        assertThat(s.enabledMechanisms()).containsExactly("SCRAM-SHA-256", "PLAIN");
        assertThat(s.maxReauthMs()).isEqualTo(60_000);
        SaslMechanismServer p = s.newServer("PLAIN");
        p.evaluate(plain("", "alice", "with \"quote\""));
        assertThat(p.isComplete()).isTrue();
        assertThat(s.newServer("SCRAM-SHA-512")).isNull();
        assertThat(SaslSettings.of(props, "OTHER", null).enabledMechanisms()).isEqualTo(Set.of("PLAIN"));

        props.put("sasl.enabled.mechanisms", "GSSAPI");
        assertThatThrownBy(() -> SaslSettings.of(props, "OTHER", null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("GSSAPI");
        assertThatThrownBy(() -> JaasOptions.parse("k", "Module required user_a=\"x\"")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("end with ';'");
    }
}
