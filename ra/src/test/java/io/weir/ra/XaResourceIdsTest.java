package io.weir.ra;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The default xaResourceId: the server's transaction node id first, then its node name, then the host name. */
class XaResourceIdsTest {

    @Test
    void followsTheServersNodeIdentity() {
        assertThat(XaResourceIds.defaultId(Map.of("jboss.tx.node.id", "tx1", "jboss.node.name", "node-a")::get, () -> "host"))
                .isEqualTo("weir-ra-tx1");
        assertThat(XaResourceIds.defaultId(Map.of("jboss.node.name", " node-a ")::get, () -> "host")).isEqualTo("weir-ra-node-a");
        assertThat(XaResourceIds.defaultId(Map.of("com.sun.aas.instanceName", "server")::get, () -> "host"))
                .isEqualTo("weir-ra-server");
        assertThat(XaResourceIds.defaultId(Map.of("jboss.tx.node.id", " ")::get, () -> "Box.Example")).isEqualTo("weir-ra-box.example");
        assertThat(XaResourceIds.defaultId(Map.<String, String>of()::get, () -> null)).isEqualTo("weir-ra-localhost");
    }

    @Test
    void aConfiguredIdWins() {
        assertThat(XaResourceIds.orElse(" orders-1 ", "weir-ra-x")).isEqualTo("orders-1");
        assertThat(XaResourceIds.orElse("", "weir-ra-x")).isEqualTo("weir-ra-x");
        assertThat(XaResourceIds.orElse(null, "weir-ra-x")).isEqualTo("weir-ra-x");
    }
}
