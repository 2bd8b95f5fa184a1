package io.weir.cdi;

import io.weir.jms.DestinationNames;
import io.weir.jms.WeirQueue;
import io.weir.jms.WeirTopic;
import io.weir.jms.jndi.WeirInitialContextFactory;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Queue;
import jakarta.jms.Topic;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The connection factories and destinations the application configured, read the way the provider's JNDI
 * context reads them ({@link WeirInitialContextFactory}): every {@code jndi.properties} on the class path, then
 * system properties, which win. Only the {@code connectionFactory.}, {@code xaConnectionFactory.},
 * {@code queue.} and {@code topic.} entries matter here.
 */
final class JmsConfiguration {

    /** The name the Jakarta Messaging specification gives the platform default connection factory. */
    static final String DEFAULT_FACTORY = "java:comp/DefaultJMSConnectionFactory";
    static final String DEFAULT_FACTORY_SHORT = "DefaultJMSConnectionFactory";
    private static final List<String> PREFIXES = List.of(WeirInitialContextFactory.CONNECTION_FACTORY_PREFIX,
            WeirInitialContextFactory.XA_CONNECTION_FACTORY_PREFIX, WeirInitialContextFactory.QUEUE_PREFIX,
            WeirInitialContextFactory.TOPIC_PREFIX);

    private final Context context;
    private final List<String> factoryNames;

    private JmsConfiguration(Context context, List<String> factoryNames) {
        this.context = context;
        this.factoryNames = factoryNames;
    }

    /** Reads the configuration; a bad entry (no address, a bad parameter) is a NamingException naming it. */
    static JmsConfiguration load(ClassLoader loader, Properties systemProperties) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        try {
            Enumeration<URL> files = loader.getResources("jndi.properties");
            while (files.hasMoreElements()) {
                URL url = files.nextElement();
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                }
                // as InitialContext does: the first file on the class path that sets a key wins
                p.stringPropertyNames().stream().filter(JmsConfiguration::relevant)
                        .forEach(k -> env.putIfAbsent(k, p.getProperty(k)));
            }
        } catch (IOException e) {
            NamingException ne = new NamingException("cannot read jndi.properties: " + e);
            ne.setRootCause(e);
            throw ne;
        }
        for (String k : systemProperties.stringPropertyNames()) {
            if (relevant(k)) {
                env.put(k, systemProperties.getProperty(k));
            }
        }
        List<String> factories = new ArrayList<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(WeirInitialContextFactory.CONNECTION_FACTORY_PREFIX)) {
                factories.add(k.substring(WeirInitialContextFactory.CONNECTION_FACTORY_PREFIX.length()));
            } else if (k.startsWith(WeirInitialContextFactory.XA_CONNECTION_FACTORY_PREFIX)) {
                factories.add(k.substring(WeirInitialContextFactory.XA_CONNECTION_FACTORY_PREFIX.length()));
            }
        }
        factories.sort(null);
        return new JmsConfiguration(new WeirInitialContextFactory().getInitialContext(env), List.copyOf(factories));
    }

    private static boolean relevant(String key) {
        return PREFIXES.stream().anyMatch(key::startsWith);
    }

    /**
     * The factory of that name; null or the specification's default name means the factory named
     * {@value #DEFAULT_FACTORY_SHORT}, else the only one configured.
     */
    ConnectionFactory factory(String name) throws NamingException {
        if (name == null || name.isEmpty() || name.equals(DEFAULT_FACTORY)) {
            if (factoryNames.contains(DEFAULT_FACTORY_SHORT)) {
                return (ConnectionFactory) context.lookup(DEFAULT_FACTORY_SHORT);
            }
            if (factoryNames.size() == 1) {
                return (ConnectionFactory) context.lookup(factoryNames.get(0));
            }
            throw new NameNotFoundException("no default connection factory: configure connectionFactory."
                    + DEFAULT_FACTORY_SHORT + "=host:port (or exactly one connectionFactory.<name>); configured: " + factoryNames);
        }
        String key = name.startsWith("java:comp/env/") ? name.substring("java:comp/env/".length()) : name;
        if (!factoryNames.contains(key)) {
            throw new NameNotFoundException("no connection factory named '" + name + "': configure connectionFactory."
                    + key + "=host:port; configured: " + factoryNames);
        }
        return (ConnectionFactory) context.lookup(key);
    }

    Queue queue(String name) throws NamingException {
        Object bound = lookup(name);
        if (bound instanceof Queue q) {
            return q;
        }
        if (bound != null) {
            throw new NamingException("'" + name + "' is configured as a topic, not a queue");
        }
        return new WeirQueue(physical(name));
    }

    Topic topic(String name) throws NamingException {
        Object bound = lookup(name);
        if (bound instanceof Topic t) {
            return t;
        }
        if (bound != null) {
            throw new NamingException("'" + name + "' is configured as a queue, not a topic");
        }
        return new WeirTopic(physical(name));
    }

    private Object lookup(String name) throws NamingException {
        try {
            Object o = context.lookup(name);
            return o instanceof ConnectionFactory ? null : o;
        } catch (NameNotFoundException e) {
            return null;
        }
    }

    private static String physical(String name) throws NamingException {
        if (!DestinationNames.isValid(name)) {
            throw new NamingException("'" + name + "' is neither a configured queue./topic. entry nor a valid destination name");
        }
        return name;
    }
}
