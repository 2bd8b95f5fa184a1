package io.weir.broker.network;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream into Kafka requests: a 4-byte big-endian size, then that many bytes. A size
 * above {@code socket.request.max.bytes} (or a negative one) fails fast with a
 * {@link io.netty.handler.codec.TooLongFrameException} / {@link io.netty.handler.codec.CorruptedFrameException}
 * before the body is buffered; the connection handler then logs it and closes the connection, as the
 * protocol has no error response for a frame it cannot read. Emits the frame without its size prefix.
 */
public final class KafkaFrameDecoder extends LengthFieldBasedFrameDecoder {

    public KafkaFrameDecoder(int maxRequestSize) {
        super(maxRequestSize, 0, 4, 0, 4, true);
    }
}
