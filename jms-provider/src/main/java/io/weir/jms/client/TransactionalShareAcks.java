package io.weir.jms.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.protocol.types.RawTaggedField;

/**
 * ShareAcknowledge requests whose ACCEPTs belong to a Kafka transaction (Weir brokers only): the records become
 * acknowledged when the transaction commits and available again (their delivery counted) when it aborts or times out,
 * so consuming from a share-group queue and producing commit atomically. The transaction travels in Weir's tagged field
 * {@value #TAG} of the request (ShareAcknowledge is a flexible-version message; Apache Kafka brokers skip the tag and
 * would ACCEPT at once, so send it only to a broker for which {@link #supported} is true):
 *
 * <pre>
 * tag 10000: int16 version=0, int16 length + UTF-8 transactional_id, int64 producer_id, int16 producer_epoch
 * </pre>
 *
 * The acknowledged records must be acquired by the member (as for any ACCEPT); the share-partition's leader makes the
 * partition join the transaction at its coordinator, and answers per partition: NONE, INVALID_RECORD_STATE (not acquired
 * by this member, nothing changed), PRODUCER_FENCED / INVALID_PRODUCER_ID_MAPPING (the transaction's producer is not
 * current: nothing changed, the records stay acquired), or retriable CONCURRENT_TRANSACTIONS / NOT_COORDINATOR /
 * COORDINATOR_LOAD_IN_PROGRESS / COORDINATOR_NOT_AVAILABLE (send the same request again, with the next session epoch).
 * The producer then commits or aborts with EndTxn as usual; the broker protocol is described in
 * {@code jms-provider/TRANSACTIONS.md} ("Share-group queues in transactions").
 *
 * <p>Stateless; thread-safe.
 */
public final class TransactionalShareAcks {
    /** The ShareAcknowledge tagged field that names the transaction. */
    public static final int TAG = 10_000;
    /** The ApiVersions supported feature (version 1) with which a broker says it understands {@link #TAG}. */
    public static final String FEATURE = "weir.share.acknowledge.transactional";
    private static final short TAG_VERSION = 0;
    private static final byte ACCEPT = 1;

    private TransactionalShareAcks() {
    }

    /** The Kafka transaction the acknowledgements join: its transactional id and current producer id and epoch. */
    public record Transaction(String transactionalId, long producerId, short producerEpoch) {
        public Transaction {
            Objects.requireNonNull(transactionalId, "transactionalId");
            if (transactionalId.isEmpty() || transactionalId.getBytes(StandardCharsets.UTF_8).length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("A transactional id of 1 to 32767 bytes is needed: " + transactionalId.length());
            }
            if (producerId < 0 || producerEpoch < 0) {
                throw new IllegalArgumentException("Producer id " + producerId + " and epoch " + producerEpoch + " must be initialized");
            }
        }

        /** The tag's value. */
        public byte[] encode() {
            byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(2 + 2 + id.length + 8 + 2).putShort(TAG_VERSION).putShort((short) id.length).put(id)
                    .putLong(producerId).putShort(producerEpoch).array();
        }
    }

    /** Offsets {@code first..last} (inclusive) to ACCEPT in the transaction. */
    public record Range(long first, long last) {
        public Range {
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("Bad offset range " + first + ".." + last);
            }
        }
    }

    /** Whether the broker that gave this ApiVersions answer understands the transactional acknowledgement. */
    public static boolean supported(ApiVersionsResponseData apiVersions) {
        ApiVersionsResponseData.SupportedFeatureKey f = apiVersions.supportedFeatures().find(FEATURE);
        return f != null && f.minVersion() <= 1 && f.maxVersion() >= 1;
    }

    /**
     * Adds the transaction's tag to a ShareAcknowledge request built elsewhere (its ACCEPT batches join the transaction;
     * any other acknowledge type in it applies at once, as without the tag). Replaces a tag already there.
     *
     * @return {@code request}
     */
    public static ShareAcknowledgeRequestData attach(ShareAcknowledgeRequestData request, Transaction transaction) {
        Objects.requireNonNull(transaction, "transaction");
        request.unknownTaggedFields().removeIf(f -> f.tag() == TAG);
        request.unknownTaggedFields().add(new RawTaggedField(TAG, transaction.encode()));
        return request;
    }

    /** A ShareAcknowledge of one partition's offsets, ACCEPTed in {@code transaction}. */
    public static ShareAcknowledgeRequestData request(String groupId, String memberId, int shareSessionEpoch, Uuid topicId,
                                                      int partition, List<Range> accepted, Transaction transaction) {
        return request(groupId, memberId, shareSessionEpoch, Map.of(new TopicIdPartition(topicId, partition, null), accepted),
                transaction);
    }

    /**
     * A ShareAcknowledge of several partitions' offsets (all led by the broker it is sent to), ACCEPTed in
     * {@code transaction}.
     *
     * @param shareSessionEpoch the member's next share session epoch on that broker (ShareAcknowledge cannot open a
     *                          session: not 0)
     */
    public static ShareAcknowledgeRequestData request(String groupId, String memberId, int shareSessionEpoch,
                                                      Map<TopicIdPartition, List<Range>> accepted, Transaction transaction) {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(transaction, "transaction");
        if (shareSessionEpoch == 0) {
            throw new IllegalArgumentException("ShareAcknowledge needs an open share session (epoch 0 opens one)");
        }
        ShareAcknowledgeRequestData d = new ShareAcknowledgeRequestData().setGroupId(groupId).setMemberId(memberId)
                .setShareSessionEpoch(shareSessionEpoch);
        accepted.forEach((tip, ranges) -> {
            ShareAcknowledgeRequestData.AcknowledgeTopic t = d.topics().find(tip.topicId());
            if (t == null) {
                t = new ShareAcknowledgeRequestData.AcknowledgeTopic().setTopicId(tip.topicId());
                d.topics().add(t);
            }
            ShareAcknowledgeRequestData.AcknowledgePartition p = new ShareAcknowledgeRequestData.AcknowledgePartition()
                    .setPartitionIndex(tip.partition());
            for (Range r : ranges) {
                p.acknowledgementBatches().add(new ShareAcknowledgeRequestData.AcknowledgementBatch().setFirstOffset(r.first())
                        .setLastOffset(r.last()).setAcknowledgeTypes(List.of(ACCEPT)));
            }
            t.partitions().add(p);
        });
        return attach(d, transaction);
    }
}
