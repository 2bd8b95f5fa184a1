package io.weir.broker.network;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Sample requests and responses of every API key and version Weir implements, built with the
 * kafka-clients message classes. Each sample sets exactly the fields its version carries, with
 * non-default values where the version has them, so that a decode/encode round trip must preserve
 * every field it is given. Also frames a request as a client sends it (size prefix, header, body).
 */
public final class ProtocolSamples {
    /**
     * The keys {@code KafkaApis} registers handlers for. Each handler implements
     * {@code key.oldestVersion()..key.latestVersion(false)}; {@code BadInputIT} checks that the
     * running broker advertises exactly these ranges.
     */
    public static final List<ApiKeys> IMPLEMENTED = List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE,
            ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS, ApiKeys.CREATE_PARTITIONS,
            ApiKeys.DESCRIBE_CONFIGS, ApiKeys.INIT_PRODUCER_ID, ApiKeys.DESCRIBE_CLUSTER, ApiKeys.OFFSET_FOR_LEADER_EPOCH);

    /**
     * Every key the broker advertises: {@link #IMPLEMENTED} plus the consumer-group and admin keys, whose every
     * version {@code AllVersionsIT} sends to the real broker (the codec tests sample the codec with the
     * keys above; it does not depend on the key).
     */
    public static final List<ApiKeys> ADVERTISED = java.util.stream.Stream.concat(IMPLEMENTED.stream(), java.util.stream.Stream.of(
            ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP,
            ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.LIST_GROUPS, ApiKeys.DESCRIBE_GROUPS, ApiKeys.DELETE_GROUPS,
            ApiKeys.OFFSET_DELETE, ApiKeys.ALTER_PARTITION_REASSIGNMENTS, ApiKeys.LIST_PARTITION_REASSIGNMENTS,
            ApiKeys.DESCRIBE_LOG_DIRS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.ELECT_LEADERS, ApiKeys.DELETE_RECORDS,
            ApiKeys.ADD_PARTITIONS_TO_TXN, ApiKeys.ADD_OFFSETS_TO_TXN, ApiKeys.TXN_OFFSET_COMMIT, ApiKeys.END_TXN,
            ApiKeys.WRITE_TXN_MARKERS, ApiKeys.LIST_TRANSACTIONS, ApiKeys.DESCRIBE_TRANSACTIONS,
            ApiKeys.DESCRIBE_PRODUCERS,
            ApiKeys.SHARE_GROUP_HEARTBEAT, ApiKeys.SHARE_GROUP_DESCRIBE, ApiKeys.SHARE_FETCH, ApiKeys.SHARE_ACKNOWLEDGE,
            ApiKeys.READ_SHARE_GROUP_STATE, ApiKeys.WRITE_SHARE_GROUP_STATE, ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
            ApiKeys.ALTER_SHARE_GROUP_OFFSETS, ApiKeys.DELETE_SHARE_GROUP_OFFSETS,
            ApiKeys.DESCRIBE_ACLS, ApiKeys.CREATE_ACLS, ApiKeys.DELETE_ACLS,
            ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE, ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
            ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, ApiKeys.DESCRIBE_CLIENT_QUOTAS, ApiKeys.ALTER_CLIENT_QUOTAS)).toList();

    static final Uuid TOPIC_ID = new Uuid(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);
    static final Uuid OTHER_TOPIC_ID = new Uuid(42L, 4242L);

    /** An API key and one of its implemented versions. */
    public record KeyVersion(ApiKeys key, short version) {
        @Override
        public String toString() {
            return key + " v" + version;
        }
    }

    private ProtocolSamples() {
    }

    public static short oldest(ApiKeys key) {
        return key.oldestVersion();
    }

    public static short latest(ApiKeys key) {
        return switch (key) {
            // transaction version 1 only: the versions of transaction version 2 (KIP-890) are not advertised
            case ADD_PARTITIONS_TO_TXN -> 3;
            case END_TXN, TXN_OFFSET_COMMIT -> 4;
            case INIT_PRODUCER_ID -> 6; // two-phase commit (KIP-939), an unstable version in kafka-clients 4.4
            default -> key.latestVersion(false);
        };
    }

    /** Every implemented version of every implemented key. */
    public static List<KeyVersion> everyVersion() {
        List<KeyVersion> all = new ArrayList<>();
        for (ApiKeys key : IMPLEMENTED) {
            for (short v = oldest(key); v <= latest(key); v++) {
                all.add(new KeyVersion(key, v));
            }
        }
        return all;
    }

    /** A request of {@code key} at {@code version}, as kafka-clients decodes it from the sample data. */
    public static AbstractRequest request(ApiKeys key, short version) {
        return AbstractRequest.parseRequest(key, version, MessageUtil.toByteBufferAccessor(requestData(key, version), version))
                .request;
    }

    /** A response of {@code key} at {@code version}, as kafka-clients decodes it from the sample data. */
    public static AbstractResponse response(ApiKeys key, short version) {
        return AbstractResponse.parseResponse(key, MessageUtil.toByteBufferAccessor(responseData(key, version), version), version);
    }

    /** What a client writes to the socket: 4-byte size, request header, body. */
    public static ByteBuffer frame(RequestHeader header, AbstractRequest request) {
        ByteBuffer body = request.serializeWithHeader(header);
        ByteBuffer framed = ByteBuffer.allocate(4 + body.remaining());
        framed.putInt(body.remaining()).put(body).flip();
        return framed;
    }

    public static MemoryRecords records(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(1_700_000_000_000L + i, ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    public static ApiMessage requestData(ApiKeys key, short v) {
        return switch (key) {
            case API_VERSIONS -> apiVersionsRequest(v);
            case METADATA -> metadataRequest(v);
            case PRODUCE -> produceRequest(v);
            case FETCH -> fetchRequest(v);
            case LIST_OFFSETS -> listOffsetsRequest(v);
            case CREATE_TOPICS -> createTopicsRequest(v);
            case DELETE_TOPICS -> deleteTopicsRequest(v);
            case CREATE_PARTITIONS -> createPartitionsRequest(v);
            case DESCRIBE_CONFIGS -> describeConfigsRequest(v);
            case INIT_PRODUCER_ID -> initProducerIdRequest(v);
            case DESCRIBE_CLUSTER -> describeClusterRequest(v);
            case OFFSET_FOR_LEADER_EPOCH -> offsetForLeaderEpochRequest(v);
            default -> throw new IllegalArgumentException(key + " is not implemented by Weir");
        };
    }

    public static ApiMessage responseData(ApiKeys key, short v) {
        return switch (key) {
            case API_VERSIONS -> apiVersionsResponse(v);
            case METADATA -> metadataResponse(v);
            case PRODUCE -> produceResponse(v);
            case FETCH -> fetchResponse(v, records("fetched-0", "fetched-1"));
            case LIST_OFFSETS -> listOffsetsResponse(v);
            case CREATE_TOPICS -> createTopicsResponse(v);
            case DELETE_TOPICS -> deleteTopicsResponse(v);
            case CREATE_PARTITIONS -> createPartitionsResponse(v);
            case DESCRIBE_CONFIGS -> describeConfigsResponse(v);
            case INIT_PRODUCER_ID -> initProducerIdResponse(v);
            case DESCRIBE_CLUSTER -> describeClusterResponse(v);
            case OFFSET_FOR_LEADER_EPOCH -> offsetForLeaderEpochResponse(v);
            default -> throw new IllegalArgumentException(key + " is not implemented by Weir");
        };
    }

    // ---- requests

    private static ApiMessage apiVersionsRequest(short v) {
        ApiVersionsRequestData d = new ApiVersionsRequestData();
        if (v >= 3) {
            d.setClientSoftwareName("weir-codec-test").setClientSoftwareVersion("1.0.0");
        }
        return d;
    }

    private static ApiMessage metadataRequest(short v) {
        List<MetadataRequestTopic> topics = new ArrayList<>();
        topics.add(new MetadataRequestTopic().setName("orders"));
        if (v >= 10) {
            topics.add(new MetadataRequestTopic().setName(null).setTopicId(TOPIC_ID));
        } else {
            topics.add(new MetadataRequestTopic().setName("payments"));
        }
        MetadataRequestData d = new MetadataRequestData().setTopics(topics);
        if (v >= 4) {
            d.setAllowAutoTopicCreation(false);
        }
        if (v >= 8 && v <= 10) {
            d.setIncludeClusterAuthorizedOperations(true);
        }
        if (v >= 8) {
            d.setIncludeTopicAuthorizedOperations(true);
        }
        return d;
    }

    private static ApiMessage produceRequest(short v) {
        ProduceRequestData d = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000).setTransactionalId(null);
        TopicProduceData topic = new TopicProduceData();
        if (v >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setName("orders");
        }
        topic.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(records("a", "b", "c")));
        topic.partitionData().add(new PartitionProduceData().setIndex(2).setRecords(records("d")));
        d.topicData().add(topic);
        return d;
    }

    private static ApiMessage fetchRequest(short v) {
        FetchRequestData d = new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setMaxBytes(52_428_800)
                .setIsolationLevel((byte) 1);
        if (v <= 14) {
            d.setReplicaId(-1);
        }
        if (v >= 7) {
            d.setSessionId(0).setSessionEpoch(-1);
        }
        FetchTopic topic = new FetchTopic();
        if (v >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setTopic("orders");
        }
        for (int p = 0; p < 2; p++) {
            FetchPartition fp = new FetchPartition().setPartition(p).setFetchOffset(100L + p).setPartitionMaxBytes(1_048_576);
            if (v >= 5) {
                fp.setLogStartOffset(-1);
            }
            if (v >= 9) {
                fp.setCurrentLeaderEpoch(3);
            }
            if (v >= 12) {
                fp.setLastFetchedEpoch(2);
            }
            topic.partitions().add(fp);
        }
        d.topics().add(topic);
        if (v >= 7) {
            ForgottenTopic forgotten = new ForgottenTopic().setPartitions(List.of(5, 6));
            if (v >= 13) {
                forgotten.setTopicId(OTHER_TOPIC_ID);
            } else {
                forgotten.setTopic("old");
            }
            d.forgottenTopicsData().add(forgotten);
        }
        if (v >= 11) {
            d.setRackId("rack-a");
        }
        return d;
    }

    private static ApiMessage listOffsetsRequest(short v) {
        ListOffsetsRequestData d = new ListOffsetsRequestData().setReplicaId(-1);
        if (v >= 2) {
            d.setIsolationLevel((byte) 1);
        }
        ListOffsetsPartition earliest = new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-2L);
        ListOffsetsPartition latest = new ListOffsetsPartition().setPartitionIndex(1).setTimestamp(-1L);
        if (v >= 4) {
            earliest.setCurrentLeaderEpoch(7);
        }
        d.topics().add(new ListOffsetsTopic().setName("orders").setPartitions(new ArrayList<>(List.of(earliest, latest))));
        if (v >= 10) {
            d.setTimeoutMs(15_000);
        }
        return d;
    }

    private static ApiMessage createTopicsRequest(short v) {
        CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(60_000).setValidateOnly(true);
        CreatableTopic simple = new CreatableTopic().setName("orders").setNumPartitions(3).setReplicationFactor((short) 1);
        simple.configs().add(new CreatableTopicConfig().setName("retention.ms").setValue("86400000"));
        simple.configs().add(new CreatableTopicConfig().setName("cleanup.policy").setValue(null));
        CreatableTopic assigned = new CreatableTopic().setName("assigned").setNumPartitions(-1).setReplicationFactor((short) -1);
        assigned.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(0, 1)));
        d.topics().add(simple);
        d.topics().add(assigned);
        return d;
    }

    private static ApiMessage deleteTopicsRequest(short v) {
        DeleteTopicsRequestData d = new DeleteTopicsRequestData().setTimeoutMs(30_000);
        if (v >= 6) {
            d.setTopics(new ArrayList<>(List.of(new DeleteTopicState().setName("orders"),
                    new DeleteTopicState().setName(null).setTopicId(TOPIC_ID))));
        } else {
            d.setTopicNames(new ArrayList<>(List.of("orders", "payments")));
        }
        return d;
    }

    private static ApiMessage createPartitionsRequest(short v) {
        CreatePartitionsRequestData d = new CreatePartitionsRequestData().setTimeoutMs(30_000).setValidateOnly(false);
        d.topics().add(new CreatePartitionsTopic().setName("orders").setCount(6).setAssignments(null));
        d.topics().add(new CreatePartitionsTopic().setName("payments").setCount(2)
                .setAssignments(new ArrayList<>(List.of(new CreatePartitionsAssignment().setBrokerIds(List.of(0))))));
        return d;
    }

    private static ApiMessage describeConfigsRequest(short v) {
        DescribeConfigsRequestData d = new DescribeConfigsRequestData().setIncludeSynonyms(true);
        d.resources().add(new DescribeConfigsResource().setResourceType((byte) 2).setResourceName("orders")
                .setConfigurationKeys(new ArrayList<>(List.of("retention.ms", "segment.bytes"))));
        d.resources().add(new DescribeConfigsResource().setResourceType((byte) 4).setResourceName("0")
                .setConfigurationKeys(null));
        if (v >= 3) {
            d.setIncludeDocumentation(true);
        }
        return d;
    }

    private static ApiMessage initProducerIdRequest(short v) {
        InitProducerIdRequestData d = new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000);
        if (v >= 3) {
            d.setProducerId(4711L).setProducerEpoch((short) 3);
        }
        return d;
    }

    private static ApiMessage describeClusterRequest(short v) {
        DescribeClusterRequestData d = new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true);
        if (v >= 1) {
            d.setEndpointType((byte) 1);
        }
        if (v >= 2) {
            d.setIncludeFencedBrokers(true);
        }
        return d;
    }

    // ---- responses

    private static ApiMessage apiVersionsResponse(short v) {
        ApiVersionsResponseData d = new ApiVersionsResponseData().setErrorCode(Errors.NONE.code());
        for (ApiKeys key : IMPLEMENTED) {
            d.apiKeys().add(new ApiVersion().setApiKey(key.id).setMinVersion(oldest(key)).setMaxVersion(latest(key)));
        }
        if (v >= 1) {
            d.setThrottleTimeMs(5);
        }
        return d;
    }

    private static ApiMessage metadataResponse(short v) {
        MetadataResponseData d = new MetadataResponseData();
        if (v >= 3) {
            d.setThrottleTimeMs(7);
        }
        MetadataResponseBroker b0 = new MetadataResponseBroker().setNodeId(0).setHost("127.0.0.1").setPort(9092);
        MetadataResponseBroker b1 = new MetadataResponseBroker().setNodeId(1).setHost("127.0.0.2").setPort(9093);
        if (v >= 1) {
            b0.setRack("rack-a");
            b1.setRack(null);
            d.setControllerId(1);
        }
        d.brokers().add(b0);
        d.brokers().add(b1);
        if (v >= 2) {
            d.setClusterId("weir-cluster-1");
        }
        MetadataResponseTopic orders = new MetadataResponseTopic().setName("orders").setErrorCode(Errors.NONE.code());
        for (int p = 0; p < 2; p++) {
            MetadataResponsePartition mp = new MetadataResponsePartition().setPartitionIndex(p).setLeaderId(p)
                    .setReplicaNodes(List.of(p, 1 - p)).setIsrNodes(List.of(p));
            if (v >= 5) {
                mp.setOfflineReplicas(List.of(1 - p));
            }
            if (v >= 7) {
                mp.setLeaderEpoch(4 + p);
            }
            orders.partitions().add(mp);
        }
        MetadataResponseTopic missing = new MetadataResponseTopic().setName("missing")
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        if (v >= 1) {
            orders.setIsInternal(false);
            missing.setIsInternal(true);
        }
        if (v >= 8) {
            orders.setTopicAuthorizedOperations(0x0f);
        }
        if (v >= 10) {
            orders.setTopicId(TOPIC_ID);
        }
        d.topics().add(orders);
        d.topics().add(missing);
        if (v >= 8 && v <= 10) {
            d.setClusterAuthorizedOperations(0xff);
        }
        if (v >= 13) {
            d.setErrorCode(Errors.NONE.code());
        }
        return d;
    }

    private static ApiMessage produceResponse(short v) {
        ProduceResponseData d = new ProduceResponseData().setThrottleTimeMs(3);
        TopicProduceResponse topic = new TopicProduceResponse();
        if (v >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setName("orders");
        }
        PartitionProduceResponse ok = new PartitionProduceResponse().setIndex(0).setBaseOffset(1_000L)
                .setLogAppendTimeMs(-1L);
        PartitionProduceResponse bad = new PartitionProduceResponse().setIndex(2).setErrorCode(Errors.CORRUPT_MESSAGE.code())
                .setBaseOffset(-1L).setLogAppendTimeMs(-1L);
        if (v >= 5) {
            ok.setLogStartOffset(10L);
            bad.setLogStartOffset(-1L);
        }
        if (v >= 8) {
            bad.setErrorMessage("CRC mismatch").setRecordErrors(
                    new ArrayList<>(List.of(new BatchIndexAndErrorMessage().setBatchIndex(0).setBatchIndexErrorMessage(null))));
        }
        topic.partitionResponses().add(ok);
        topic.partitionResponses().add(bad);
        d.responses().add(topic);
        return d;
    }

    /** A Fetch response with {@code records} for partition 0 and an error for partition 1. */
    public static FetchResponseData fetchResponse(short v, MemoryRecords records) {
        FetchResponseData d = new FetchResponseData().setThrottleTimeMs(0);
        if (v >= 7) {
            d.setErrorCode(Errors.NONE.code()).setSessionId(0);
        }
        FetchableTopicResponse topic = new FetchableTopicResponse();
        if (v >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setTopic("orders");
        }
        PartitionData withData = new PartitionData().setPartitionIndex(0).setHighWatermark(102L).setLastStableOffset(102L)
                .setAbortedTransactions(new ArrayList<>(List.of(new AbortedTransaction().setProducerId(9L).setFirstOffset(50L))))
                .setRecords(records);
        PartitionData failed = new PartitionData().setPartitionIndex(1).setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code())
                .setHighWatermark(-1L).setLastStableOffset(-1L).setAbortedTransactions(null).setRecords(MemoryRecords.EMPTY);
        if (v >= 5) {
            withData.setLogStartOffset(0L);
            failed.setLogStartOffset(-1L);
        }
        if (v >= 11) {
            withData.setPreferredReadReplica(-1);
        }
        topic.partitions().add(withData);
        topic.partitions().add(failed);
        d.responses().add(topic);
        return d;
    }

    private static ApiMessage offsetForLeaderEpochRequest(short v) {
        var d = new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData();
        if (v >= 3) {
            d.setReplicaId(2);
        }
        var partition = new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                .setPartition(0).setLeaderEpoch(3);
        if (v >= 2) {
            partition.setCurrentLeaderEpoch(5);
        }
        d.topics().add(new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("orders")
                .setPartitions(new ArrayList<>(List.of(partition))));
        return d;
    }

    private static ApiMessage offsetForLeaderEpochResponse(short v) {
        var d = new org.apache.kafka.common.message.OffsetForLeaderEpochResponseData();
        if (v >= 2) {
            d.setThrottleTimeMs(3);
        }
        var ok = new org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset().setPartition(0)
                .setEndOffset(120L);
        var fenced = new org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset().setPartition(1)
                .setErrorCode(Errors.FENCED_LEADER_EPOCH.code()).setEndOffset(-1L);
        if (v >= 1) {
            ok.setLeaderEpoch(3);
            fenced.setLeaderEpoch(-1);
        }
        d.topics().add(new org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult()
                .setTopic("orders").setPartitions(new ArrayList<>(List.of(ok, fenced))));
        return d;
    }

    private static ApiMessage listOffsetsResponse(short v) {
        ListOffsetsResponseData d = new ListOffsetsResponseData();
        if (v >= 2) {
            d.setThrottleTimeMs(1);
        }
        ListOffsetsPartitionResponse p0 = new ListOffsetsPartitionResponse().setPartitionIndex(0).setTimestamp(-1L).setOffset(0L);
        ListOffsetsPartitionResponse p1 = new ListOffsetsPartitionResponse().setPartitionIndex(1)
                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setTimestamp(-1L).setOffset(-1L);
        if (v >= 4) {
            p0.setLeaderEpoch(7);
        }
        d.topics().add(new ListOffsetsTopicResponse().setName("orders").setPartitions(new ArrayList<>(List.of(p0, p1))));
        return d;
    }

    private static ApiMessage createTopicsResponse(short v) {
        CreateTopicsResponseData d = new CreateTopicsResponseData().setThrottleTimeMs(2);
        CreatableTopicResult ok = new CreatableTopicResult().setName("orders").setErrorCode(Errors.NONE.code())
                .setErrorMessage(null);
        CreatableTopicResult bad = new CreatableTopicResult().setName("assigned")
                .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Manual replica assignment is not supported");
        if (v >= 5) {
            ok.setNumPartitions(3).setReplicationFactor((short) 1).setConfigs(new ArrayList<>(List.of(
                    new CreatableTopicConfigs().setName("retention.ms").setValue("86400000").setConfigSource((byte) 1))));
            bad.setNumPartitions(-1).setReplicationFactor((short) -1).setConfigs(null);
        }
        if (v >= 7) {
            ok.setTopicId(TOPIC_ID);
        }
        d.topics().add(ok);
        d.topics().add(bad);
        return d;
    }

    private static ApiMessage deleteTopicsResponse(short v) {
        DeleteTopicsResponseData d = new DeleteTopicsResponseData().setThrottleTimeMs(4);
        DeletableTopicResult ok = new DeletableTopicResult().setName("orders").setErrorCode(Errors.NONE.code());
        DeletableTopicResult bad = new DeletableTopicResult().setName("payments")
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        if (v >= 5) {
            bad.setErrorMessage("no such topic");
        }
        if (v >= 6) {
            ok.setTopicId(TOPIC_ID);
            bad.setName(null).setTopicId(OTHER_TOPIC_ID);
        }
        d.responses().add(ok);
        d.responses().add(bad);
        return d;
    }

    private static ApiMessage createPartitionsResponse(short v) {
        CreatePartitionsResponseData d = new CreatePartitionsResponseData().setThrottleTimeMs(0);
        d.results().add(new CreatePartitionsTopicResult().setName("orders").setErrorCode(Errors.NONE.code()).setErrorMessage(null));
        d.results().add(new CreatePartitionsTopicResult().setName("payments")
                .setErrorCode(Errors.INVALID_PARTITIONS.code()).setErrorMessage("fewer partitions than now"));
        return d;
    }

    private static ApiMessage describeConfigsResponse(short v) {
        DescribeConfigsResponseData d = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        DescribeConfigsResourceResult retention = new DescribeConfigsResourceResult().setName("retention.ms")
                .setValue("604800000").setReadOnly(false).setConfigSource((byte) 5).setIsSensitive(false)
                .setSynonyms(new ArrayList<>(List.of(new DescribeConfigsSynonym().setName("log.retention.ms")
                        .setValue("604800000").setSource((byte) 5))));
        DescribeConfigsResourceResult secret = new DescribeConfigsResourceResult().setName("secret").setValue(null)
                .setReadOnly(true).setConfigSource((byte) 4).setIsSensitive(true);
        if (v >= 3) {
            retention.setConfigType((byte) 5).setDocumentation("How long to keep records.");
            secret.setConfigType((byte) 9).setDocumentation(null);
        }
        d.results().add(new DescribeConfigsResult().setResourceType((byte) 2).setResourceName("orders")
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null).setConfigs(new ArrayList<>(List.of(retention, secret))));
        d.results().add(new DescribeConfigsResult().setResourceType((byte) 4).setResourceName("7")
                .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("not this broker"));
        return d;
    }

    private static ApiMessage initProducerIdResponse(short v) {
        return new InitProducerIdResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
                .setProducerId(4712L).setProducerEpoch((short) 0);
    }

    private static ApiMessage describeClusterResponse(short v) {
        DescribeClusterResponseData d = new DescribeClusterResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
                .setErrorMessage(null).setClusterId("weir-cluster-1").setControllerId(0).setClusterAuthorizedOperations(0x1f);
        if (v >= 1) {
            d.setEndpointType((byte) 1);
        }
        DescribeClusterBroker b0 = new DescribeClusterBroker().setBrokerId(0).setHost("127.0.0.1").setPort(9092).setRack(null);
        DescribeClusterBroker b1 = new DescribeClusterBroker().setBrokerId(1).setHost("127.0.0.2").setPort(9093).setRack("r1");
        if (v >= 2) {
            b1.setIsFenced(true);
        }
        d.brokers().add(b0);
        d.brokers().add(b1);
        return d;
    }
}
