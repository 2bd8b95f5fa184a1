package io.weir.broker.network;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream into Kafka requests: a 4-byte big-endian size, then that many bytes. A size
 * above {@code socket.request.max.bytes} (or a negative one, which reads as a huge unsigned size) fails
 * fast with a {@link io.netty.handler.codec.TooLongFrameException} before the body is buffered; the
 * connection handler then logs it and closes the connection, as the protocol has no error response for
 * a frame it cannot read. Emits the frame without its size prefix.
 */
public final class KafkaFrameDecoder extends LengthFieldBasedFrameDecoder {
    private static final int SIZE_FIELD = 4;

    /**
     * @param maxRequestSize the largest size value accepted: as in Kafka, it counts the bytes after the
     *                       size field (Netty's limit counts the field too)
     */
    public KafkaFrameDecoder(int maxRequestSize) {
        super((int) Math.min(Integer.MAX_VALUE, (long) maxRequestSize + SIZE_FIELD), 0, SIZE_FIELD, 0, SIZE_FIELD, true);
    }
}
