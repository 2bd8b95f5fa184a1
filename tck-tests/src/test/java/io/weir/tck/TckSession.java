package io.weir.tck;

import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Logger;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts the broker once for a TCK run (a JUnit Platform launcher session) and writes the jndi.properties that
 * the TCK's {@code new InitialContext()} reads from the test classpath; stops the broker when the session ends.
 *
 * <p>Acts only when the system property {@code tck.session.provider} is set: Failsafe sets it (from the Maven
 * property {@code tck.provider}) for the TCK run only, so the unit tests in Surefire start nothing.
 * {@code weir} (the default) starts an {@code EmbeddedWeirCluster}; {@code artemis} the Artemis reference broker.
 * {@code tck.jndi.dir} is the directory on the test classpath where jndi.properties is written.
 */
public final class TckSession implements LauncherSessionListener {
    private static final Logger LOG = Logger.getLogger(TckSession.class.getName());

    private TckBroker broker;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        String provider = System.getProperty("tck.session.provider");
        if (provider == null || provider.isBlank()) {
            return;
        }
        String jndiDir = System.getProperty("tck.jndi.dir");
        if (jndiDir == null || jndiDir.isBlank()) {
            throw new IllegalStateException("tck.session.provider is set but tck.jndi.dir is not: nowhere to write jndi.properties");
        }
        broker = create(provider);
        try {
            Map<String, String> entries = broker.start();
            Path file = TckJndi.write(Path.of(jndiDir), entries);
            LOG.info(() -> "TCK broker: " + broker.describe() + "; JNDI: " + file);
        } catch (Exception e) {
            closeQuietly();
            throw new IllegalStateException("cannot start the TCK broker (tck.session.provider=" + provider + ")", e);
        }
    }

    private static TckBroker create(String provider) {
        return switch (provider) {
            case "weir" -> new WeirTckBroker(Integer.getInteger("tck.weir.brokers", 1),
                    Boolean.parseBoolean(System.getProperty("tck.weir.security", "true")), System.getProperty("user"),
                    System.getProperty("password"));
            case "artemis" -> artemis();
            default -> throw new IllegalArgumentException("tck.session.provider must be weir or artemis, not '" + provider + "'");
        };
    }

    /** By name, since the Artemis class is compiled only in the artemis profile. */
    private static TckBroker artemis() {
        String dataDir = System.getProperty("tck.artemis.data", "target/artemis-data");
        boolean security = Boolean.getBoolean("tck.artemis.security");
        try {
            return (TckBroker) Class.forName("io.weir.tck.artemis.ArtemisTckBroker")
                    .getConstructor(Path.class, boolean.class, String.class, String.class)
                    .newInstance(Path.of(dataDir), security, System.getProperty("user"), System.getProperty("password"));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("tck.provider=artemis needs the artemis profile (-Dtck.provider=artemis on the Maven command line)", e);
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        closeQuietly();
    }

    private void closeQuietly() {
        if (broker != null) {
            try {
                broker.close();
            } catch (RuntimeException e) {
                LOG.warning("stopping the TCK broker failed: " + e);
            }
            broker = null;
        }
    }
}
