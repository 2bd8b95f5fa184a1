package io.weir.jms.perf;

import io.weir.broker.server.EmbeddedWeirCluster;

import java.util.Random;

/**
 * What the hand-run timing drivers ({@link ProviderTimings}, {@link ShareQueueTimings}, {@link RoundTripOverhead})
 * share: their arguments, the broker they time against ({@code embedded}, the default: a one-broker
 * {@link EmbeddedWeirCluster} on loopback, closed afterwards; else the bootstrap servers given), a run's name
 * suffix and the payload.
 */
final class TimingRuns {

    /** A timing run against the brokers at a bootstrap address. */
    interface Run {
        void against(String bootstrap) throws Exception;
    }

    private TimingRuns() {
    }

    /** Runs {@code run} against the brokers {@code args[0]} names ({@code embedded} when absent). */
    static void onBroker(String[] args, Run run) throws Exception {
        String where = args.length > 0 ? args[0] : "embedded";
        if (!"embedded".equals(where)) {
            run.against(where);
            return;
        }
        try (EmbeddedWeirCluster cluster = EmbeddedWeirCluster.builder().brokers(1).build().start()) {
            run.against(cluster.bootstrapServers());
        }
    }

    /** The whole-number argument at {@code index}, or {@code otherwise} when there are fewer. */
    static int intArg(String[] args, int index, int otherwise) {
        return args.length > index ? Integer.parseInt(args[index]) : otherwise;
    }

    /** A suffix for the names of one run's queues, so that runs against the same brokers do not meet. */
    static String runId() {
        return Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    /** {@code size} bytes of the same pseudo-random content in every run. */
    static byte[] payload(int size) {
        byte[] body = new byte[size];
        new Random(1).nextBytes(body);
        return body;
    }
}
