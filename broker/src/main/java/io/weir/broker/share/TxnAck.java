package io.weir.broker.share;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The transaction a ShareAcknowledge request's acknowledgements belong to: Weir's tagged field {@value #TAG} of the
 * request body (ShareAcknowledge is a flexible-version message, so Apache Kafka brokers skip the unknown tag).
 *
 * <pre>
 * tag {@value #TAG} value: int16 version=0, int16 length + UTF-8 transactional_id, int64 producer_id, int16 producer_epoch
 * </pre>
 *
 * A broker that understands it advertises the supported feature {@value #FEATURE} (version 1) in ApiVersions; a
 * client sends the tag only to a broker that advertises it (a Kafka broker would ACCEPT at once).
 */
public record TxnAck(String transactionalId, long producerId, short producerEpoch) {
    /** The request's tagged-field number (far above Kafka's own tags). */
    public static final int TAG = 10_000;
    /** The ApiVersions supported feature that says a broker understands {@link #TAG}. */
    public static final String FEATURE = "weir.share.acknowledge.transactional";
    static final short VERSION = 0;

    public byte[] encode() {
        byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 2 + id.length + 8 + 2).putShort(VERSION).putShort((short) id.length).put(id)
                .putLong(producerId).putShort(producerEpoch).array();
    }

    /**
     * The field's value decoded.
     *
     * @throws IllegalArgumentException when it is malformed, of an unknown version, or names no transactional id,
     *                                  producer id or epoch
     */
    public static TxnAck decode(byte[] data) {
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            short version = b.getShort();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown version " + version);
            }
            int length = b.getShort();
            if (length <= 0 || length > b.remaining()) {
                throw new IllegalArgumentException("transactional id length " + length + " with " + b.remaining() + " bytes left");
            }
            byte[] id = new byte[length];
            b.get(id);
            TxnAck ack = new TxnAck(new String(id, StandardCharsets.UTF_8), b.getLong(), b.getShort());
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " trailing bytes");
            }
            if (ack.producerId() < 0 || ack.producerEpoch() < 0) {
                throw new IllegalArgumentException("producer id " + ack.producerId() + " epoch " + ack.producerEpoch());
            }
            return ack;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated (" + data.length + " bytes)");
        }
    }
}
