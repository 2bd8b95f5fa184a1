package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.quota.ClientQuotaManager;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Applies the byte-rate quotas to answers: a produce counts its request size against
 * {@code producer_byte_rate}, a consumer's fetch the bytes of records it returns against
 * {@code consumer_byte_rate} (followers' fetches are not counted), both per user and client id. Over
 * the quota, the answer carries the throttle time; the network layer then stops reading from the
 * connection for that long (KIP-219), and kafka-clients waits before sending there again.
 *
 * <p>An acks=0 produce has no answer: over the quota, its connection is muted all the same, as in Kafka.
 * Unlike Kafka, a throttled fetch still returns its records (Kafka answers it empty and uncounts the
 * bytes): the bytes count either way, so the client is held back by the same time. Thread-safe.
 */
final class ClientThrottles {
    private final ClientQuotaManager produce;
    private final ClientQuotaManager fetch;

    ClientThrottles(ClientQuotaManager produce, ClientQuotaManager fetch) {
        this.produce = produce;
        this.fetch = fetch;
    }

    /**
     * Counts the request against its client's quota and sets the throttle time of {@code response} when
     * the client is over it.
     *
     * @param response the answer, or null (an acks=0 produce)
     * @return the throttle time in ms (0: within its quota)
     */
    int apply(RequestContext context, AbstractResponse response) {
        int throttleMs = switch (context.header().apiKey()) {
            case PRODUCE -> produce.recordAndThrottleMs(context.principal().getName(), context.header().clientId(),
                    context.sizeInBytes());
            case FETCH -> response == null || !fetch.enforced() || ((FetchRequest) context.request()).replicaId() >= 0 ? 0
                    : fetch.recordAndThrottleMs(context.principal().getName(), context.header().clientId(),
                            recordBytes(response));
            default -> 0;
        };
        if (throttleMs > 0 && response != null) {
            response.maybeSetThrottleTimeMs(Math.max(throttleMs, response.throttleTimeMs()));
        }
        return throttleMs;
    }

    private static long recordBytes(AbstractResponse response) {
        if (!(response.data() instanceof FetchResponseData data)) {
            return 0;
        }
        long bytes = 0;
        for (FetchResponseData.FetchableTopicResponse t : data.responses()) {
            for (FetchResponseData.PartitionData p : t.partitions()) {
                if (p.records() != null) {
                    bytes += p.records().sizeInBytes();
                }
            }
        }
        return bytes;
    }
}
