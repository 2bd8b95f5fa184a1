package io.weir.ra.testing;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Queue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the adapter's tests against a broker stand on: one embedded broker for the test class, a plain provider
 * factory on it that reads queues as the adapter does (the provider's default mode), and the resources a test closes after itself.
 * Register it as a {@code static} {@code @RegisterExtension} field. After each test (after its {@code @AfterEach}
 * methods) what the test handed to {@link #closeAfter} is closed in order. The tests of one class run one at a time
 * (the module's default), so one list serves them all.
 */
public final class TestBroker implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

    private final List<AutoCloseable> closeAfter = new CopyOnWriteArrayList<>();
    private EmbeddedWeirCluster cluster;
    private WeirConnectionFactory plain;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
        plain = new WeirConnectionFactory(cluster.bootstrapServers());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<AutoCloseable> toClose = new ArrayList<>(closeAfter);
        closeAfter.clear();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** A provider factory on the broker, outside the adapter: to fill queues and to look at what arrived. */
    public WeirConnectionFactory plain() {
        return plain;
    }

    /** Closes {@code c} after the test, after what was handed over before it. */
    public void closeAfter(AutoCloseable c) {
        closeAfter.add(c);
    }

    /** Closes {@code c} after the test, before everything else. */
    public void closeFirst(AutoCloseable c) {
        closeAfter.add(0, c);
    }

    /** A name no other test uses: {@code prefix} and eight random characters. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * What a plain (read_committed) consumer finds on {@code q}: up to {@code expected} messages, each waited for up
     * to {@code receiveMs}, then one more waited for {@code lastWaitMs} (which must not come).
     */
    public List<String> drain(Queue q, int expected, long receiveMs, long lastWaitMs) {
        List<String> got = new ArrayList<>();
        try (JMSContext ctx = plain.createContext(); JMSConsumer c = ctx.createConsumer(q)) {
            while (got.size() < expected) {
                String body = c.receiveBody(String.class, receiveMs);
                if (body == null) {
                    break;
                }
                got.add(body);
            }
            String extra = c.receiveBody(String.class, lastWaitMs);
            if (extra != null) {
                got.add(extra);
            }
        }
        return got;
    }
}
