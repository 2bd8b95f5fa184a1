package io.weir.jms.it;

import io.weir.broker.perf.BrokerRoundTrips;

/**
 * {@link BrokerRoundTrips} against a real Apache Kafka 4.4 broker ({@link KafkaPeer}): the reference for the
 * broker's produce, commit and long-poll round trips. {@code java -cp ... io.weir.jms.it.KafkaPeerRoundTrips [n]}.
 * Run by hand.
 */
public final class KafkaPeerRoundTrips {

    private KafkaPeerRoundTrips() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        try (KafkaPeer kafka = KafkaPeer.start()) {
            BrokerRoundTrips.run(kafka.bootstrapServers(), n);
        }
    }
}
