package io.weir.ra;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The default {@code xaResourceId} of an adapter deployment: the name under which the brokers keep its XA branches
 * (every branch's transactional id starts with it) and under which {@code recover} finds them after a restart. It
 * must be stable across restarts of one server and differ between servers whose transaction managers recover on
 * their own, which is what a server's transaction node id is for: {@code weir-ra-} followed by the first of the
 * system properties {@code jboss.tx.node.id} (WildFly's transaction node identifier), {@code jboss.node.name},
 * {@code com.sun.aas.instanceName} (Payara), else the host name. Pure apart from reading those.
 */
public final class XaResourceIds {

    static final String PREFIX = "weir-ra-";
    private static final String[] NODE_PROPERTIES = {"jboss.tx.node.id", "jboss.node.name", "com.sun.aas.instanceName"};

    private XaResourceIds() {
    }

    /** The default id on this server. */
    public static String defaultId() {
        return defaultId(System::getProperty, XaResourceIds::hostName);
    }

    static String defaultId(UnaryOperator<String> properties, java.util.function.Supplier<String> hostName) {
        for (String p : NODE_PROPERTIES) {
            String v = properties.apply(p);
            if (v != null && !v.isBlank()) {
                return PREFIX + v.trim();
            }
        }
        String host = hostName.get();
        return PREFIX + (host == null || host.isBlank() ? "localhost" : host.trim().toLowerCase(Locale.ROOT));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** {@code configured} if set, else {@code fallback}. */
    public static String orElse(String configured, String fallback) {
        return configured == null || configured.isBlank() ? fallback : configured.trim();
    }
}
