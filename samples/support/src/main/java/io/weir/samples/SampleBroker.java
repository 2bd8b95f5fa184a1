package io.weir.samples;

import io.weir.broker.server.EmbeddedWeirCluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The broker a sample talks to: the one named by {@code -Dweir.bootstrap=host:port}, else the one the project
 * README starts on {@code localhost:9092} when it answers, else an embedded single broker started for the
 * sample (so no sample needs a second terminal). Closing it stops the embedded broker, if any.
 */
public final class SampleBroker implements AutoCloseable {

    private final String bootstrapServers;
    private final EmbeddedWeirCluster embedded;

    private SampleBroker(String bootstrapServers, EmbeddedWeirCluster embedded) {
        this.bootstrapServers = bootstrapServers;
        this.embedded = embedded;
    }

    public static SampleBroker find() {
        String configured = System.getProperty("weir.bootstrap");
        if (configured != null && !configured.isBlank()) {
            return new SampleBroker(configured, null);
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", 9092), 1_000);
            System.out.println("Using the broker on localhost:9092");
            return new SampleBroker("localhost:9092", null);
        } catch (IOException e) {
            SampleBroker b = embedded();
            System.out.println("No broker on localhost:9092: started an embedded one on " + b.bootstrapServers());
            return b;
        }
    }

    /** Always an embedded broker on an ephemeral port (what the samples' tests use). */
    public static SampleBroker embedded() {
        EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
        return new SampleBroker(cluster.bootstrapServers(), cluster);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
