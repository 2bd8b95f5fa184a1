package io.weir.tck;

import io.weir.broker.server.EmbeddedWeirCluster;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts one embedded Weir broker (with its ZooKeeper) for the whole TCK run and publishes its address as the
 * system property {@code weir.tck.bootstrap}, which {@code jndi.properties} refers to. Only when
 * {@code weir.tck.broker=true} (set by the Failsafe run of the kit), so unit tests start nothing.
 */
public final class WeirTckBroker implements LauncherSessionListener {

    private EmbeddedWeirCluster cluster;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (!Boolean.getBoolean("weir.tck.broker") || cluster != null) {
            return;
        }
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
        System.setProperty("weir.tck.bootstrap", cluster.bootstrapServers());
        System.out.println("[weir-tck] Weir broker for the TCK at " + cluster.bootstrapServers());
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
