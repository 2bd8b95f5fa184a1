package io.weir.bench.jms;

import jakarta.jms.ConnectionFactory;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The client JVM of one JMS side-by-side run:
 * {@code JmsClientMain --provider=weir|artemis --url=... --workload=queue|fanout|reqreply|receive|send-tx|relay|attach|procs [--pairs=N]
 * [--subscribers=N] [--messages=N] [--warmup=N] [--size=N] [--timeout-ms=N] [--partitions=N] [--persistent=true|false]
 * [--ack=auto|client] [--ack-every=N] [--backlog=N] [--processes=N]} ({@code attach}: {@code --messages} is the number
 * of attaches).
 *
 * <p>Builds the provider's {@link ConnectionFactory} by class name (the Weir side runs on
 * {@code benchmarks.jar}, the Artemis side on the classpath of {@code bench/artemis-peer}; neither has
 * the other's classes), runs one {@link JmsWorkloads} method and prints one line
 * {@code RESULT metric=value;metric=value} on stdout. A failure prints its stack trace and exits 1.
 */
public final class JmsClientMain {

    static final String RESULT = "RESULT ";

    private JmsClientMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            a.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        ConnectionFactory factory = factory(required(a, "provider"), required(a, "url"), Integer.parseInt(a.getOrDefault("partitions", "1")));
        if (a.containsKey("weir-props")) {
            // run by hand to compare a Weir factory setting (queueMode=classic, say): key=value,key=value
            for (String kv : a.get("weir-props").split(",")) {
                int eq = kv.indexOf('=');
                factory.getClass().getMethod("setProperty", String.class, String.class)
                        .invoke(factory, kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        JmsWorkloads w = new JmsWorkloads(factory, Integer.parseInt(a.getOrDefault("size", "1024")),
                Long.parseLong(a.getOrDefault("timeout-ms", "180000")));
        int messages = Integer.parseInt(a.getOrDefault("messages", "20000"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "2000"));
        Map<String, Double> metrics = switch (required(a, "workload")) {
            case "queue" -> w.queueThroughput(Integer.parseInt(a.getOrDefault("pairs", "1")), messages, warmup,
                    Integer.parseInt(a.getOrDefault("window", "0")));
            case "fanout" -> w.topicFanOut(Integer.parseInt(a.getOrDefault("subscribers", "4")), messages, warmup);
            case "reqreply" -> w.requestReply(messages, warmup, Boolean.parseBoolean(a.getOrDefault("persistent", "true")));
            case "receive" -> w.queueReceive(messages, warmup, switch (a.getOrDefault("ack", "auto")) {
                case "auto" -> jakarta.jms.Session.AUTO_ACKNOWLEDGE;
                case "client" -> jakarta.jms.Session.CLIENT_ACKNOWLEDGE;
                default -> throw new IllegalArgumentException("--ack must be auto or client, not " + a.get("ack"));
            }, Integer.parseInt(a.getOrDefault("ack-every", "100")));
            case "send-tx" -> w.transactedSend(messages, warmup, Integer.parseInt(a.getOrDefault("per-commit", "100")));
            case "relay" -> w.transactedRelay(messages, warmup, Integer.parseInt(a.getOrDefault("per-commit", "100")));
            case "attach" -> w.attachLatency(messages, warmup, Integer.parseInt(a.getOrDefault("backlog", "10")));
            case "procs" -> w.queueProcesses(required(a, "provider"), required(a, "url"),
                    Integer.parseInt(a.getOrDefault("processes", "1")), messages, warmup);
            default -> throw new IllegalArgumentException("unknown workload " + a.get("workload"));
        };
        System.out.println(format(metrics));
        System.out.flush();
        // kafka-clients and Artemis leave non-daemon threads behind on some paths; the result is out
        System.exit(0);
    }

    static String format(Map<String, Double> metrics) {
        StringJoiner j = new StringJoiner(";", RESULT, "");
        metrics.forEach((k, v) -> j.add(k + "=" + String.format(Locale.ROOT, "%.6f", v)));
        return j.toString();
    }

    /**
     * The provider's factory. Weir: {@code new io.weir.jms.WeirConnectionFactory(url)} with
     * {@code setTopicPartitions(partitions)} (a queue with N partitions is what lets N consumers of one
     * queue share it; the JMS code is unchanged). Artemis:
     * {@code new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(url)}, defaults.
     */
    static ConnectionFactory factory(String provider, String url, int partitions) throws ReflectiveOperationException {
        return switch (provider) {
            case "weir" -> {
                Object f = Class.forName("io.weir.jms.WeirConnectionFactory").getConstructor(String.class).newInstance(url);
                f.getClass().getMethod("setTopicPartitions", int.class).invoke(f, partitions);
                yield (ConnectionFactory) f;
            }
            case "artemis" -> (ConnectionFactory) Class.forName("org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory")
                    .getConstructor(String.class).newInstance(url);
            default -> throw new IllegalArgumentException("unknown provider " + provider);
        };
    }

    private static String required(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key + "=");
        }
        return v;
    }
}
