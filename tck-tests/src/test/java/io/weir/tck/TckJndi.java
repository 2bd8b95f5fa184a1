package io.weir.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JNDI names the Jakarta Messaging TCK looks up in standalone mode (JmsTool of jakarta.tck:common and the
 * test classes of jakarta.tck:jms-tck), and how they are written into a {@code jndi.properties} for one provider.
 * Pure: building the entries does no I/O; {@link #write} is the only file access.
 */
public final class TckJndi {
    /** Client id of the administratively configured durable-subscription factory (JmsTool expects "cts"). */
    public static final String DURABLE_CLIENT_ID = "cts";

    public static final String CONNECTION_FACTORY = "MyConnectionFactory";
    public static final String QUEUE_CONNECTION_FACTORY = "MyQueueConnectionFactory";
    public static final String TOPIC_CONNECTION_FACTORY = "MyTopicConnectionFactory";
    public static final String DURABLE_SUB_CONNECTION_FACTORY = "DURABLE_SUB_CONNECTION_FACTORY";

    public static final List<String> QUEUES = List.of("MY_QUEUE", "MY_QUEUE2", "testQ0", "testQ1", "testQ2", "testQueue2", "Q2");
    public static final List<String> TOPICS = List.of("MY_TOPIC", "MY_TOPIC2", "testT0", "testT1", "testT2");

    /** The kind of connection factory a name must yield. */
    public enum FactoryKind { GENERIC, QUEUE, TOPIC, DURABLE_TOPIC }

    /** How one provider writes a connection factory entry; destinations use the common queue./topic. syntax. */
    public interface Syntax {
        String initialContextFactory();

        /** The key/value pair(s) binding connection factory {@code name} of {@code kind}. */
        Map<String, String> connectionFactory(String name, FactoryKind kind);
    }

    private TckJndi() {
    }

    /** Every entry of the TCK's jndi.properties for {@code syntax}, sorted by key. */
    public static Map<String, String> entries(Syntax syntax) {
        Map<String, String> entries = new TreeMap<>();
        entries.put("java.naming.factory.initial", syntax.initialContextFactory());
        entries.putAll(syntax.connectionFactory(CONNECTION_FACTORY, FactoryKind.GENERIC));
        entries.putAll(syntax.connectionFactory(QUEUE_CONNECTION_FACTORY, FactoryKind.QUEUE));
        entries.putAll(syntax.connectionFactory(TOPIC_CONNECTION_FACTORY, FactoryKind.TOPIC));
        entries.putAll(syntax.connectionFactory(DURABLE_SUB_CONNECTION_FACTORY, FactoryKind.DURABLE_TOPIC));
        QUEUES.forEach(q -> entries.put("queue." + q, q));
        TOPICS.forEach(t -> entries.put("topic." + t, t));
        return entries;
    }

    /** Writes {@code entries} as {@code dir/jndi.properties} (UTF-8, one {@code key=value} a line). */
    public static Path write(Path dir, Map<String, String> entries) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("jndi.properties");
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write("# generated for this TCK run; the broker's port is ephemeral\n");
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    w.write(escape(e.getKey()) + "=" + escape(e.getValue()) + "\n");
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write jndi.properties into " + dir, e);
        }
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\', '=', ':', '#', '!', ' ' -> b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
