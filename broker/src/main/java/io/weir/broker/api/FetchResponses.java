package io.weir.broker.api;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * A Fetch response built from {@link FetchResponseData} whose partitions may carry file-backed
 * records. (kafka-clients keeps the constructor of its own FetchResponse private; serialization is
 * the same, done by {@link AbstractResponse#toSend} from {@link #data()}.)
 */
final class FetchResponses extends AbstractResponse {
    private final FetchResponseData data;

    FetchResponses(FetchResponseData data) {
        super(ApiKeys.FETCH);
        this.data = data;
    }

    @Override
    public FetchResponseData data() {
        return data;
    }

    @Override
    public Map<Errors, Integer> errorCounts() {
        Map<Errors, Integer> counts = new EnumMap<>(Errors.class);
        updateErrorCounts(counts, Errors.forCode(data.errorCode()));
        data.responses().forEach(t -> t.partitions().forEach(p -> updateErrorCounts(counts, Errors.forCode(p.errorCode()))));
        return counts;
    }

    @Override
    public int throttleTimeMs() {
        return data.throttleTimeMs();
    }

    @Override
    public void maybeSetThrottleTimeMs(int throttleTimeMs) {
        data.setThrottleTimeMs(throttleTimeMs);
    }

    /** As kafka-clients' FetchResponse: clients wait out a throttle by themselves from v8 (KIP-219). */
    @Override
    public boolean shouldClientThrottle(short version) {
        return version >= 8;
    }
}
