package io.weir.ra.it.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.dmr.ModelNode;

/** Management operations on the running server that the tests need. Stateless. */
public final class ServerControl {

    private ServerControl() {
    }

    /**
     * Reloads the server (every service, the resource adapter and the deployments stop and start again in the same
     * JVM) and waits until it is running again.
     */
    public static void reload(ManagementClient client) throws IOException {
        ModelNode op = new ModelNode();
        op.get("operation").set("reload");
        op.get("address").setEmptyList();
        ModelNode result = client.getControllerClient().execute(op);
        if (!"success".equals(result.get("outcome").asString())) {
            throw new IllegalStateException("reload failed: " + result);
        }
        await("the server running again after reload").atMost(Duration.ofMinutes(5))
                .pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> "running".equals(serverState(client)));
    }

    private static String serverState(ManagementClient client) throws IOException {
        ModelNode op = new ModelNode();
        op.get("operation").set("read-attribute");
        op.get("address").setEmptyList();
        op.get("name").set("server-state");
        ModelNode result = client.getControllerClient().execute(op);
        return "success".equals(result.get("outcome").asString()) ? result.get("result").asString() : null;
    }
}
