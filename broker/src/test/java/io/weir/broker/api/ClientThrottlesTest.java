package io.weir.broker.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.common.MockTime;
import io.weir.broker.network.RequestContext;
import io.weir.broker.quota.ClientQuotaManager;
import io.weir.broker.quota.ClientQuotas;
import io.weir.broker.quota.InMemoryQuotaStorage;
import io.weir.broker.quota.QuotaEntity;
import io.weir.broker.quota.QuotaKeys;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/** Which requests count against which byte rate, and what a throttled answer carries. */
class ClientThrottlesTest {
    private final MockTime time = new MockTime();
    private final ClientQuotas quotas = new ClientQuotas(new InMemoryQuotaStorage());
    private final ClientThrottles throttles = new ClientThrottles(
            new ClientQuotaManager(quotas, QuotaKeys.PRODUCER_BYTE_RATE, time, 11, 1000),
            new ClientQuotaManager(quotas, QuotaKeys.CONSUMER_BYTE_RATE, time, 11, 1000));

    ClientThrottlesTest() {
        quotas.start();
        quotas.alter(QuotaEntity.user("alice"), Map.of(QuotaKeys.PRODUCER_BYTE_RATE, 1000.0, QuotaKeys.CONSUMER_BYTE_RATE, 100.0),
                Set.of());
    }

    @Test
    void aProduceCountsItsRequestSize() {
        ProduceResponse response = new ProduceResponse(new ProduceResponseData());
        assertThat(throttles.apply(context("alice", new ProduceRequest(new ProduceRequestData().setAcks((short) 1), (short) 9),
                20_000), response)).isEqualTo(10_000);
        assertThat(response.throttleTimeMs()).isEqualTo(10_000);
        // another user has no quota; an acks=0 produce (no answer) is counted and throttled too
        assertThat(throttles.apply(context("bob", new ProduceRequest(new ProduceRequestData(), (short) 9), 1 << 20), null)).isZero();
        assertThat(throttles.apply(context("alice", new ProduceRequest(new ProduceRequestData(), (short) 9), 10), null)).isPositive();
    }

    @Test
    void aConsumerFetchCountsTheRecordsItReturnsAndAFollowerFetchNothing() {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[1500]));
        FetchResponseData data = new FetchResponseData().setResponses(List.of(new FetchResponseData.FetchableTopicResponse()
                .setTopic("t").setPartitions(List.of(new FetchResponseData.PartitionData().setRecords(records)))));
        FetchResponses follower = new FetchResponses(data.duplicate());
        assertThat(throttles.apply(context("alice", new FetchRequest(new FetchRequestData().setReplicaId(1), (short) 12), 100),
                follower)).isZero();
        FetchResponses consumer = new FetchResponses(data);
        int throttleMs = throttles.apply(context("alice", new FetchRequest(new FetchRequestData(), (short) 12), 100), consumer);
        // the batch's bytes over the minimum span of 10 s, against 100 B/s
        double rate = records.sizeInBytes() / 10.0;
        assertThat(throttleMs).isCloseTo((int) ((rate - 100) / 100 * 10_000), org.assertj.core.data.Offset.offset(1))
                .isEqualTo(consumer.throttleTimeMs());
    }

    @Test
    void fetchAnswersSayFromWhichVersionClientsWaitByThemselves() {
        FetchResponses response = new FetchResponses(new FetchResponseData());
        assertThat(response.shouldClientThrottle((short) 8)).isTrue();
        assertThat(response.shouldClientThrottle((short) 7)).isFalse();
    }

    private static RequestContext context(String user, AbstractRequest request, int size) {
        return new RequestContext(new RequestHeader(request.apiKey(), request.version(), "app", 1), request, size,
                InetSocketAddress.createUnresolved("client", 1), 1, new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user));
    }
}
