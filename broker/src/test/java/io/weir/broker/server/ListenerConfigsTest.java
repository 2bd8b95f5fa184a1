package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.network.Listener;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/** Kafka's listener settings: named listeners, the protocol map, advertised listeners and the inter-broker listener. */
class ListenerConfigsTest {

    private static BrokerConfig config(String... kv) {
        Map<String, String> props = new HashMap<>();
        props.put("log.dirs", "/tmp/weir-listener-test");
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        return new BrokerConfig(props);
    }

    @Test
    void namedListenersTakeTheirProtocolFromTheMap() {
        BrokerConfig c = config("listeners", "CLIENT://0.0.0.0:9092,BROKER://127.0.0.1:9093",
                "advertised.listeners", "CLIENT://kafka.example.com:9092,BROKER://127.0.0.1:9093",
                "listener.security.protocol.map", "CLIENT:SASL_SSL,BROKER:PLAINTEXT", "inter.broker.listener.name", "broker");
        assertThat(c.listeners()).containsExactly(new Listener("CLIENT", SecurityProtocol.SASL_SSL, "0.0.0.0", 9092),
                new Listener("BROKER", SecurityProtocol.PLAINTEXT, "127.0.0.1", 9093));
        assertThat(c.interBrokerListenerName()).isEqualTo("BROKER");
        assertThat(c.advertisedListener()).isEqualTo(new BrokerConfig.Endpoint("127.0.0.1", 9093));
    }

    @Test
    void theInterBrokerListenerDefaultsToPlaintextOrTheFirst() {
        assertThat(config("listeners", "SASL_PLAINTEXT://127.0.0.1:1,PLAINTEXT://127.0.0.1:2").interBrokerListenerName())
                .isEqualTo("PLAINTEXT");
        // an SSL inter-broker listener: its stores are read at once, and a missing one is named
        assertThatThrownBy(() -> config("listeners", "SSL://127.0.0.1:1,SASL_SSL://127.0.0.1:2",
                "ssl.keystore.location", "/nonexistent")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl.keystore.location");
    }

    @Test
    void mistakesNameTheKey() {
        assertThatThrownBy(() -> config("listeners", "CLIENT://127.0.0.1:1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener.security.protocol.map");
        assertThatThrownBy(() -> config("listeners", "PLAINTEXT://127.0.0.1:1,PLAINTEXT://127.0.0.1:2"))
                .hasMessageContaining("appears twice");
        assertThatThrownBy(() -> config("listeners", "PLAINTEXT://127.0.0.1:1", "advertised.listeners", "SSL://h:1"))
                .hasMessageContaining("not in listeners");
        assertThatThrownBy(() -> config("listeners", "PLAINTEXT://127.0.0.1:1", "inter.broker.listener.name", "BROKER"))
                .hasMessageContaining("inter.broker.listener.name");
        assertThatThrownBy(() -> config("listeners", "A://127.0.0.1:1", "listener.security.protocol.map", "A:KERBEROS"))
                .hasMessageContaining("KERBEROS");
        assertThatThrownBy(() -> config("listeners", "SASL_PLAINTEXT://127.0.0.1:1", "security.inter.broker.protocol", "SASL_PLAINTEXT"))
                .as("the inter-broker login needs a username").hasMessageContaining("username and password");
    }
}
