package io.weir.ra.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.as.arquillian.api.ReloadIfRequired;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.dmr.ModelNode;
import org.jboss.logging.Logger;

/**
 * Puts the Weir resource adapter into the running server exactly as the README tells operators: the broker address
 * as the server system property {@code weir.bootstrap.servers}, the {@code wildfly/weir-ra.cli} script (adapter,
 * pooled connection factory, default adapter of message-driven beans), the test application's admin objects
 * ({@code wildfly/weir-it-destinations.cli}) and the samples' application's ({@code samples/wildfly/src/main/wildfly/shop.cli}), then {@code deploy weir-ra-<version>.rar --name=weir-ra.rar}, all
 * through the server's own {@code jboss-cli.sh}.
 *
 * <p>Done once per server: later test classes find the adapter deployed and leave it. {@link #tearDown} leaves it
 * too, since the other test classes of the run use it; the server stops at the end of the run, and each build
 * starts it from a fresh copy of its configuration.
 */
@ReloadIfRequired
public final class WeirAdapterSetup implements ServerSetupTask {

    /** The deployment (runtime) name that the resource-adapters subsystem entry names as its archive. */
    public static final String RAR = "weir-ra.rar";

    private static final Logger log = Logger.getLogger(WeirAdapterSetup.class);

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        if (deployed(client)) {
            return;
        }
        Path rar = Path.of(required("weir.it.rar"));
        Path jbossHome = Path.of(required("jboss.home"));
        if (!Files.isRegularFile(rar)) {
            throw new IllegalStateException("The resource adapter archive is missing: " + rar);
        }
        StringBuilder script = new StringBuilder();
        script.append("/system-property=weir.bootstrap.servers:add(value=\"").append(WeirBroker.bootstrapServers())
                .append("\")\n");
        script.append(resource("wildfly/weir-ra.cli"));
        script.append(resource("wildfly/weir-it-destinations.cli"));
        // the queue of the samples' Jakarta EE application (SampleWildflyIT), from the sample's own script
        script.append(Files.readString(Path.of(required("weir.it.sample.cli")), StandardCharsets.UTF_8)).append('\n');
        if (Boolean.getBoolean("weir.it.debug")) {
            // the adapter's and the provider's DEBUG lines in the server log (to follow each delivery)
            script.append("/subsystem=logging/logger=io.weir:add(level=DEBUG)\n");
        }
        script.append("deploy ").append(rar.toAbsolutePath()).append(" --name=").append(RAR).append('\n');
        Path file = Files.createTempFile("weir-it-setup", ".cli");
        try {
            Files.writeString(file, script, StandardCharsets.UTF_8);
            long start = System.nanoTime();
            JbossCli.runScript(jbossHome, client.getMgmtAddress(), client.getMgmtPort(), file);
            log.infof("Weir resource adapter configured and deployed in %d ms (broker %s)",
                    (System.nanoTime() - start) / 1_000_000, WeirBroker.bootstrapServers());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) {
        // the adapter stays for the run's other test classes (see the class comment)
    }

    private boolean deployed(ManagementClient client) throws IOException {
        ModelNode op = new ModelNode();
        op.get("operation").set("read-resource");
        op.get("address").add("deployment", RAR);
        ModelNode result = client.getControllerClient().execute(op);
        return "success".equals(result.get("outcome").asString());
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is not set (ra-it/pom.xml sets it)");
        }
        return value;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WeirAdapterSetup.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n";
        }
    }
}
