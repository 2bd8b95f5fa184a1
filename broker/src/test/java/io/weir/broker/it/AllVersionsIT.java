package io.weir.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every version of every API the broker advertises, sent to the real broker: each must be answered
 * (not a closed connection) with a response that parses at that version and reports no error. Fields
 * that do not exist in older versions are the usual way a handler breaks an old client.
 */
class AllVersionsIT {
    private static final String TOPIC = "all-versions";
    private static final java.util.Set<ApiKeys> GROUP_APIS = java.util.EnumSet.of(ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP,
            ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP, ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH,
            ApiKeys.LIST_GROUPS, ApiKeys.DESCRIBE_GROUPS, ApiKeys.DELETE_GROUPS, ApiKeys.OFFSET_DELETE,
            // transactions of an id nobody initialized: answered with a protocol error
            ApiKeys.ADD_PARTITIONS_TO_TXN, ApiKeys.ADD_OFFSETS_TO_TXN, ApiKeys.TXN_OFFSET_COMMIT, ApiKeys.END_TXN,
            ApiKeys.DESCRIBE_TRANSACTIONS,
            ApiKeys.SHARE_GROUP_HEARTBEAT, ApiKeys.SHARE_GROUP_DESCRIBE, ApiKeys.SHARE_FETCH, ApiKeys.SHARE_ACKNOWLEDGE,
            ApiKeys.READ_SHARE_GROUP_STATE, ApiKeys.WRITE_SHARE_GROUP_STATE, ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
            ApiKeys.ALTER_SHARE_GROUP_OFFSETS, ApiKeys.DELETE_SHARE_GROUP_OFFSETS);
    private static EmbeddedWeirCluster cluster;
    private static Uuid topicId;

    @BeforeAll
    static void start() throws Exception {
        // the authorizer is on (allowing everything without ACLs), so every version also passes its checks
        cluster = EmbeddedWeirCluster.builder().brokers(1)
                .brokerProperty("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer")
                .brokerProperty("allow.everyone.if.no.acl.found", "true")
                .brokerProperty("sasl.scram.initial.credentials", "SCRAM-SHA-256=[name=all-versions,password=described]")
                .build().start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            topicId = admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic("grow", 1, (short) 1)))
                    .topicId(TOPIC).get();
        }
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void everyAdvertisedVersionIsAnswered() throws Exception {
        try (RawKafkaClient client = RawKafkaClient.connect(cluster.bootstrapServers())) {
            ApiVersionsResponse versions = (ApiVersionsResponse) client.send(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertThat(versions.data().apiKeys()).isNotEmpty();
            int growTo = 1;
            for (ApiVersion range : versions.data().apiKeys()) {
                ApiKeys key = ApiKeys.forId(range.apiKey());
                for (short v = range.minVersion(); v <= range.maxVersion(); v++) {
                    if (key == ApiKeys.CREATE_PARTITIONS) {
                        growTo++;
                    }
                    ApiMessage request = request(key, v, growTo);
                    AbstractResponse response = client.send(key, v, request);
                    if (GROUP_APIS.contains(key)) {
                        // requests about members that do not exist: an answer with a protocol error is what is wanted
                        assertThat(response.errorCounts().keySet()).as("%s v%d: %s", key, v, response)
                                .doesNotContain(Errors.UNKNOWN_SERVER_ERROR, Errors.INVALID_REQUEST);
                    } else if (key == ApiKeys.SASL_HANDSHAKE || key == ApiKeys.SASL_AUTHENTICATE) {
                        assertThat(response.errorCounts().keySet()).as("%s v%d: %s", key, v, response)
                                .containsOnly(Errors.ILLEGAL_SASL_STATE);
                    } else {
                        assertThat(response.errorCounts().keySet()).as("%s v%d: %s", key, v, response)
                                .containsOnly(Errors.NONE);
                    }
                    if (key == ApiKeys.FETCH) {
                        assertThat(((FetchResponse) response).data().responses().get(0).partitions().get(0).records().sizeInBytes())
                                .as("Fetch v%d returns the stored batches", v).isPositive();
                    }
                    if (key == ApiKeys.OFFSET_FOR_LEADER_EPOCH) {
                        var answer = ((org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse) response).data().topics()
                                .iterator().next().partitions().get(0);
                        assertThat(answer.endOffset()).as("epoch 0 ends at the log end of the single-replica topic").isPositive();
                        if (v >= 1) {
                            assertThat(answer.leaderEpoch()).isZero();
                        }
                    }
                }
            }
        }
    }

    private static ApiMessage request(ApiKeys key, short v, int growTo) {
        return switch (key) {
            case API_VERSIONS -> new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1");
            case METADATA -> new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic()
                    .setName(TOPIC))).setAllowAutoTopicCreation(true);
            case PRODUCE -> produce(v);
            case FETCH -> {
                FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setPartitions(List.of(
                        new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20)));
                if (v >= 13) {
                    t.setTopicId(topicId);
                } else {
                    t.setTopic(TOPIC);
                }
                yield new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20).setTopics(List.of(t));
            }
            case OFFSET_FOR_LEADER_EPOCH -> {
                var d = new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData();
                d.topics().add(new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                        .setTopic(TOPIC).setPartitions(List.of(
                                new org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                        .setPartition(0).setLeaderEpoch(0).setCurrentLeaderEpoch(v >= 2 ? 0 : -1))));
                yield d;
            }
            case LIST_OFFSETS -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                    new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))));
            case CREATE_TOPICS -> {
                CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
                topics.add(new CreateTopicsRequestData.CreatableTopic().setName("created-v" + v).setNumPartitions(1)
                        .setReplicationFactor((short) 1));
                yield new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(10_000);
            }
            case DELETE_TOPICS -> {
                String name = "created-v" + (v + 1);
                yield v >= 6
                        ? new DeleteTopicsRequestData().setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(name)))
                        .setTimeoutMs(10_000)
                        : new DeleteTopicsRequestData().setTopicNames(List.of(name)).setTimeoutMs(10_000);
            }
            case CREATE_PARTITIONS -> {
                CreatePartitionsRequestData.CreatePartitionsTopicCollection topics =
                        new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
                topics.add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("grow").setCount(growTo)
                        .setAssignments(null));
                yield new CreatePartitionsRequestData().setTopics(topics).setTimeoutMs(10_000);
            }
            case ALTER_PARTITION_REASSIGNMENTS -> new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData()
                    .setTopics(List.of(new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic()
                            .setName(TOPIC).setPartitions(List.of(
                                    new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition()
                                            .setPartitionIndex(0).setReplicas(List.of(0)))))); // same replica: done at once
            case LIST_PARTITION_REASSIGNMENTS -> new org.apache.kafka.common.message.ListPartitionReassignmentsRequestData()
                    .setTopics(null);
            case DESCRIBE_LOG_DIRS -> new org.apache.kafka.common.message.DescribeLogDirsRequestData().setTopics(null);
            case DELETE_RECORDS -> {
                var partitions = List.of(new org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition()
                        .setPartitionIndex(0).setOffset(0)); // nothing below offset 0: the log stays whole for the other keys
                yield new org.apache.kafka.common.message.DeleteRecordsRequestData().setTimeoutMs(30_000).setTopics(List.of(
                        new org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic().setName(TOPIC)
                                .setPartitions(partitions)));
            }
            case ELECT_LEADERS -> new org.apache.kafka.common.message.ElectLeadersRequestData().setTopicPartitions(null)
                    .setTimeoutMs(30_000); // every partition: none needs an election on one broker
            case INCREMENTAL_ALTER_CONFIGS -> {
                var resources = new org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
                var configs = new org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfigCollection();
                configs.add(new org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig()
                        .setName("retention.ms").setConfigOperation((byte) 0).setValue(String.valueOf(86_400_000L + v)));
                resources.add(new org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(TOPIC).setConfigs(configs));
                yield new org.apache.kafka.common.message.IncrementalAlterConfigsRequestData().setResources(resources);
            }
            case DESCRIBE_CONFIGS -> new DescribeConfigsRequestData().setResources(List.of(
                    new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id())
                            .setResourceName(TOPIC).setConfigurationKeys(null)));
            case INIT_PRODUCER_ID -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000);
            case DESCRIBE_CLUSTER -> new DescribeClusterRequestData();
            case FIND_COORDINATOR -> v >= 4
                    ? new org.apache.kafka.common.message.FindCoordinatorRequestData().setKeyType((byte) 0)
                    .setCoordinatorKeys(List.of("group-" + v))
                    : new org.apache.kafka.common.message.FindCoordinatorRequestData().setKey("group-" + v);
            case JOIN_GROUP -> {
                var protocols = new org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection();
                protocols.add(new org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                        .setMetadata(new byte[] {0, 1}));
                yield new org.apache.kafka.common.message.JoinGroupRequestData().setGroupId("join-" + v).setSessionTimeoutMs(10_000)
                        .setRebalanceTimeoutMs(10_000).setMemberId("").setProtocolType("consumer").setProtocols(protocols);
            }
            case SYNC_GROUP -> new org.apache.kafka.common.message.SyncGroupRequestData().setGroupId("nobody").setGenerationId(1)
                    .setMemberId("m").setProtocolType(v >= 5 ? "consumer" : null).setProtocolName(v >= 5 ? "range" : null);
            case HEARTBEAT -> new org.apache.kafka.common.message.HeartbeatRequestData().setGroupId("nobody").setGenerationId(1)
                    .setMemberId("m");
            case LEAVE_GROUP -> v >= 3
                    ? new org.apache.kafka.common.message.LeaveGroupRequestData().setGroupId("nobody").setMembers(List.of(
                    new org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity().setMemberId("m")))
                    : new org.apache.kafka.common.message.LeaveGroupRequestData().setGroupId("nobody").setMemberId("m");
            case OFFSET_COMMIT -> {
                var topic = new org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setPartitions(List.of(new org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(1).setCommittedMetadata("m")));
                if (v >= 10) {
                    topic.setTopicId(topicId);
                } else {
                    topic.setName(TOPIC);
                }
                yield new org.apache.kafka.common.message.OffsetCommitRequestData().setGroupId("committer")
                        .setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(List.of(topic));
            }
            case OFFSET_FETCH -> {
                if (v >= 8) {
                    var topic = new org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics()
                            .setPartitionIndexes(List.of(0));
                    if (v >= 10) {
                        topic.setTopicId(topicId);
                    } else {
                        topic.setName(TOPIC);
                    }
                    yield new org.apache.kafka.common.message.OffsetFetchRequestData().setGroups(List.of(
                            new org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("committer")
                                    .setTopics(List.of(topic))));
                }
                yield new org.apache.kafka.common.message.OffsetFetchRequestData().setGroupId("committer").setTopics(List.of(
                        new org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic().setName(TOPIC)
                                .setPartitionIndexes(List.of(0))));
            }
            case LIST_GROUPS -> new org.apache.kafka.common.message.ListGroupsRequestData();
            case DESCRIBE_GROUPS -> new org.apache.kafka.common.message.DescribeGroupsRequestData().setGroups(List.of("committer"));
            case DELETE_GROUPS -> new org.apache.kafka.common.message.DeleteGroupsRequestData().setGroupsNames(List.of("absent-" + v));
            case OFFSET_DELETE -> {
                var topics = new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
                topics.add(new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC)
                        .setPartitions(List.of(new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                                .setPartitionIndex(0))));
                yield new org.apache.kafka.common.message.OffsetDeleteRequestData().setGroupId("committer").setTopics(topics);
            }
            case ADD_PARTITIONS_TO_TXN -> {
                var topics = new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
                topics.add(new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                        .setName(TOPIC).setPartitions(List.of(0)));
                yield new org.apache.kafka.common.message.AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("nobody")
                        .setV3AndBelowProducerId(1).setV3AndBelowProducerEpoch((short) 0).setV3AndBelowTopics(topics);
            }
            case ADD_OFFSETS_TO_TXN -> new org.apache.kafka.common.message.AddOffsetsToTxnRequestData().setTransactionalId("nobody")
                    .setProducerId(1).setProducerEpoch((short) 0).setGroupId("committer");
            case TXN_OFFSET_COMMIT -> new org.apache.kafka.common.message.TxnOffsetCommitRequestData().setTransactionalId("nobody")
                    .setGroupId("committer").setProducerId(1).setProducerEpoch((short) 0).setGenerationIdOrMemberEpoch(-1)
                    .setMemberId("").setTopics(List.of(new org.apache.kafka.common.message.TxnOffsetCommitRequestData
                            .TxnOffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                                    new org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                            .setPartitionIndex(0).setCommittedOffset(0)))));
            case END_TXN -> new org.apache.kafka.common.message.EndTxnRequestData().setTransactionalId("nobody").setProducerId(1)
                    .setProducerEpoch((short) 0).setCommitted(true);
            case WRITE_TXN_MARKERS -> new org.apache.kafka.common.requests.WriteTxnMarkersRequest.Builder(List.of(
                    new org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry(999L + v, (short) 0, 0,
                            org.apache.kafka.common.requests.TransactionResult.COMMIT,
                            List.of(new org.apache.kafka.common.TopicPartition(TOPIC, 0)), (short) 1))).data;
            case LIST_TRANSACTIONS -> new org.apache.kafka.common.message.ListTransactionsRequestData();
            case DESCRIBE_TRANSACTIONS -> new org.apache.kafka.common.message.DescribeTransactionsRequestData()
                    .setTransactionalIds(List.of("nobody"));
            case DESCRIBE_PRODUCERS -> {
                var topics = new org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequestCollection();
                topics.add(new org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest().setName(TOPIC)
                        .setPartitionIndexes(List.of(0)));
                yield new org.apache.kafka.common.message.DescribeProducersRequestData().setTopics(topics);
            }
            case SHARE_GROUP_HEARTBEAT -> new org.apache.kafka.common.message.ShareGroupHeartbeatRequestData().setGroupId("sharers")
                    .setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(0).setSubscribedTopicNames(List.of(TOPIC));
            case SHARE_GROUP_DESCRIBE -> new org.apache.kafka.common.message.ShareGroupDescribeRequestData().setGroupIds(List.of("sharers"));
            case SHARE_FETCH -> {
                var d = new org.apache.kafka.common.message.ShareFetchRequestData().setGroupId("sharers")
                        .setMemberId(Uuid.randomUuid().toString()).setShareSessionEpoch(0).setMaxWaitMs(0).setMinBytes(0)
                        .setMaxRecords(10).setBatchSize(10);
                var t = new org.apache.kafka.common.message.ShareFetchRequestData.FetchTopic().setTopicId(topicId);
                t.partitions().add(new org.apache.kafka.common.message.ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
                d.topics().add(t);
                yield d;
            }
            case SHARE_ACKNOWLEDGE -> new org.apache.kafka.common.message.ShareAcknowledgeRequestData().setGroupId("sharers")
                    .setMemberId(Uuid.randomUuid().toString()).setShareSessionEpoch(3);
            case READ_SHARE_GROUP_STATE -> {
                var d = new org.apache.kafka.common.message.ReadShareGroupStateRequestData().setGroupId("sharers");
                d.topics().add(new org.apache.kafka.common.message.ReadShareGroupStateRequestData.ReadStateData().setTopicId(topicId)
                        .setPartitions(List.of(new org.apache.kafka.common.message.ReadShareGroupStateRequestData.PartitionData()
                                .setPartition(0).setLeaderEpoch(0))));
                yield d;
            }
            case WRITE_SHARE_GROUP_STATE -> {
                var d = new org.apache.kafka.common.message.WriteShareGroupStateRequestData().setGroupId("writer-" + v);
                d.topics().add(new org.apache.kafka.common.message.WriteShareGroupStateRequestData.WriteStateData().setTopicId(topicId)
                        .setPartitions(List.of(new org.apache.kafka.common.message.WriteShareGroupStateRequestData.PartitionData()
                                .setPartition(0).setLeaderEpoch(0).setStateEpoch(0).setStartOffset(0))));
                yield d;
            }
            case DESCRIBE_SHARE_GROUP_OFFSETS -> new org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData().setGroups(
                    List.of(new org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup()
                            .setGroupId("sharers").setTopics(null)));
            case ALTER_SHARE_GROUP_OFFSETS -> {
                var d = new org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData().setGroupId("altered");
                var t = new org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic()
                        .setTopicName(TOPIC);
                t.partitions().add(new org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                        .setPartitionIndex(0).setStartOffset(0));
                d.topics().add(t);
                yield d;
            }
            case DELETE_SHARE_GROUP_OFFSETS -> new org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData().setGroupId("altered")
                    .setTopics(List.of(new org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic()
                            .setTopicName(TOPIC)));
            // on this PLAINTEXT listener both SASL keys are ILLEGAL_SASL_STATE (SASL listeners answer them in the network layer)
            case SASL_HANDSHAKE -> new org.apache.kafka.common.message.SaslHandshakeRequestData().setMechanism("PLAIN");
            case SASL_AUTHENTICATE -> new org.apache.kafka.common.message.SaslAuthenticateRequestData().setAuthBytes(new byte[] {0, 'a', 0, 'b'});
            case ALTER_USER_SCRAM_CREDENTIALS -> new org.apache.kafka.common.message.AlterUserScramCredentialsRequestData()
                    .setUpsertions(List.of(new org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion()
                            .setName("all-versions").setMechanism((byte) 1).setIterations(4096).setSalt(new byte[] {1, 2, 3})
                            .setSaltedPassword(new byte[32])));
            case DESCRIBE_USER_SCRAM_CREDENTIALS -> new org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData()
                    .setUsers(List.of(new org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName()
                            .setName("all-versions")));
            case ALTER_CLIENT_QUOTAS -> new org.apache.kafka.common.message.AlterClientQuotasRequestData().setEntries(List.of(
                    new org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData()
                            .setEntity(List.of(new org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData()
                                    .setEntityType("client-id").setEntityName("all-versions-v" + v)))
                            .setOps(List.of(new org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData()
                                    .setKey("producer_byte_rate").setValue(1 << 30)))));
            case DESCRIBE_CLIENT_QUOTAS -> new org.apache.kafka.common.message.DescribeClientQuotasRequestData().setComponents(List.of(
                    new org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData().setEntityType("client-id")
                            .setMatchType((byte) 2)));
            case CREATE_ACLS -> new org.apache.kafka.common.message.CreateAclsRequestData().setCreations(List.of(
                    new org.apache.kafka.common.message.CreateAclsRequestData.AclCreation().setResourceType((byte) 2)
                            .setResourceName("acl-v" + v).setResourcePatternType((byte) 3).setPrincipal("User:alice").setHost("*")
                            .setOperation((byte) 3).setPermissionType((byte) 3)));
            case DESCRIBE_ACLS -> new org.apache.kafka.common.message.DescribeAclsRequestData().setResourceTypeFilter((byte) 1)
                    .setPatternTypeFilter((byte) 1).setOperation((byte) 1).setPermissionType((byte) 1);
            case DELETE_ACLS -> new org.apache.kafka.common.message.DeleteAclsRequestData().setFilters(List.of(
                    new org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter((byte) 2)
                            .setResourceNameFilter("acl-v" + v).setPatternTypeFilter((byte) 3).setPrincipalFilter("User:alice")
                            .setHostFilter("*").setOperation((byte) 3).setPermissionType((byte) 3)));
            default -> throw new AssertionError("the broker advertises " + key + ", which this test does not cover yet");
        };
    }

    private static ApiMessage produce(short v) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(("produced with v" + v).getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records)));
        if (v >= 13) {
            topic.setTopicId(topicId);
        } else {
            topic.setName(TOPIC);
        }
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(topic);
        return new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000).setTopicData(topics);
    }
}
