package io.weir.jms.it;

import io.weir.jms.WeirConnectionFactory;
import io.weir.jms.perf.ProviderTimings;

/**
 * {@link ProviderTimings} against a real Apache Kafka 4.4 broker ({@link KafkaPeer}), to tell the provider's
 * costs from the broker's: {@code java -cp ... io.weir.jms.it.KafkaPeerTimings [n] [ackEvery]}. Run by hand.
 */
public final class KafkaPeerTimings {

    private KafkaPeerTimings() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int ackEvery = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        try (KafkaPeer kafka = KafkaPeer.start()) {
            ProviderTimings.run(new WeirConnectionFactory(kafka.bootstrapServers()), n, ackEvery);
        }
    }
}
