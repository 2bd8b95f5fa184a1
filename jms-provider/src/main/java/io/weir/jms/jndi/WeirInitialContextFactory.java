package io.weir.jms.jndi;

import io.weir.jms.DestinationNames;
import io.weir.jms.WeirConnectionFactory;
import io.weir.jms.WeirQueue;
import io.weir.jms.WeirTopic;

import javax.naming.ConfigurationException;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.spi.InitialContextFactory;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

/**
 * A JNDI context built from its environment (which {@code new InitialContext()} fills from
 * {@code jndi.properties}), in the style of other providers:
 * <pre>
 * java.naming.factory.initial = io.weir.jms.jndi.WeirInitialContextFactory
 * connectionFactory.MyFactory = localhost:9092?clientId=app1&amp;acks=all
 * queue.MyQueue = orders
 * topic.MyTopic = prices
 * xaConnectionFactory.MyXAFactory = localhost:9092?xaResourceId=orders-node1
 * </pre>
 * Query parameters of a connection factory are factory settings ({@code clientId}, {@code dupsOkBatchSize}, …) or
 * else kafka-clients properties. Values may refer to system properties or environment variables as
 * {@code ${name}} (for example {@code connectionFactory.cf=${kafka.bootstrap}}). The context is read-only.
 */
public class WeirInitialContextFactory implements InitialContextFactory {

    public static final String CONNECTION_FACTORY_PREFIX = "connectionFactory.";
    /** An XA connection factory ({@code io.weir.jms.WeirXAConnectionFactory}); same URL, plus {@code xaResourceId}. */
    public static final String XA_CONNECTION_FACTORY_PREFIX = "xaConnectionFactory.";
    public static final String QUEUE_PREFIX = "queue.";
    public static final String TOPIC_PREFIX = "topic.";

    @Override
    public Context getInitialContext(Hashtable<?, ?> environment) throws NamingException {
        Map<String, Object> bindings = new HashMap<>();
        Hashtable<Object, Object> env = new Hashtable<>();
        if (environment != null) {
            env.putAll(environment);
        }
        for (Map.Entry<?, ?> e : env.entrySet()) {
            String key = String.valueOf(e.getKey());
            String value = expand(key, String.valueOf(e.getValue()).trim());
            if (key.startsWith(CONNECTION_FACTORY_PREFIX)) {
                bindings.put(key.substring(CONNECTION_FACTORY_PREFIX.length()), factory(key, value));
            } else if (key.startsWith(XA_CONNECTION_FACTORY_PREFIX)) {
                bindings.put(key.substring(XA_CONNECTION_FACTORY_PREFIX.length()), factory(key, value));
            } else if (key.startsWith(QUEUE_PREFIX)) {
                bindings.put(key.substring(QUEUE_PREFIX.length()), new WeirQueue(checkName(key, value)));
            } else if (key.startsWith(TOPIC_PREFIX)) {
                bindings.put(key.substring(TOPIC_PREFIX.length()), new WeirTopic(checkName(key, value)));
            }
        }
        return new ReadOnlyContext(env, bindings);
    }

    /** Replaces each {@code ${name}} by the system property, else the environment variable, of that name. */
    static String expand(String key, String value) throws ConfigurationException {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                return out.toString();
            }
            int end = value.indexOf('}', start);
            if (end < 0) {
                throw new ConfigurationException("JNDI entry " + key + ": unclosed ${ in '" + value + "'");
            }
            String name = value.substring(start + 2, end);
            String v = System.getProperty(name, System.getenv(name));
            if (v == null) {
                throw new ConfigurationException("JNDI entry " + key + ": neither a system property nor an environment variable named '"
                        + name + "' is set");
            }
            out.append(value, i, start).append(v);
            i = end + 1;
        }
    }

    private static String checkName(String key, String value) throws ConfigurationException {
        if (!DestinationNames.isValid(value)) {
            throw new ConfigurationException("JNDI entry " + key + ": '" + value + "' is not a valid destination name");
        }
        return value;
    }

    static WeirConnectionFactory factory(String key, String value) throws ConfigurationException {
        int q = value.indexOf('?');
        String bootstrap = q < 0 ? value : value.substring(0, q);
        if (bootstrap.isEmpty()) {
            throw new ConfigurationException("JNDI entry " + key + " names no bootstrap servers");
        }
        WeirConnectionFactory f = key.startsWith(XA_CONNECTION_FACTORY_PREFIX)
                ? new io.weir.jms.WeirXAConnectionFactory(bootstrap) : new WeirConnectionFactory(bootstrap);
        if (q >= 0) {
            for (String pair : value.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigurationException("JNDI entry " + key + ": parameter '" + pair + "' is not name=value");
                }
                String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                try {
                    f.setProperty(name, v);
                } catch (IllegalArgumentException e) { // a number or a queueMode that does not parse
                    ConfigurationException ce = new ConfigurationException("JNDI entry " + key + ": bad value for " + name);
                    ce.setRootCause(e);
                    throw ce;
                }
            }
        }
        return f;
    }
}
