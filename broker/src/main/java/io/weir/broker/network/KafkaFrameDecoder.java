package io.weir.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.function.IntSupplier;

/**
 * Splits the byte stream into Kafka requests: a 4-byte big-endian size, then that many bytes. A size
 * above {@code socket.request.max.bytes} (or a negative one, which reads as a huge unsigned size) fails
 * fast with a {@link io.netty.handler.codec.TooLongFrameException} before the body is buffered; the
 * connection handler then logs it and closes the connection, as the protocol has no error response for
 * a frame it cannot read. Emits the frame without its size prefix.
 *
 * <p>A connection may lower its limit for a while: a SASL listener accepts only
 * {@value SaslAuthenticator#MAX_RECEIVE_SIZE} bytes before authentication, so that an unauthenticated
 * peer cannot make the broker buffer a huge frame.
 */
public final class KafkaFrameDecoder extends LengthFieldBasedFrameDecoder {
    private static final int SIZE_FIELD = 4;

    private final IntSupplier currentLimit;

    /**
     * @param maxRequestSize the largest size value accepted: as in Kafka, it counts the bytes after the
     *                       size field (Netty's limit counts the field too)
     */
    public KafkaFrameDecoder(int maxRequestSize) {
        this(maxRequestSize, () -> maxRequestSize);
    }

    /** @param currentLimit the largest size accepted for the next frame (at most {@code maxRequestSize}) */
    public KafkaFrameDecoder(int maxRequestSize, IntSupplier currentLimit) {
        super((int) Math.min(Integer.MAX_VALUE, (long) maxRequestSize + SIZE_FIELD), 0, SIZE_FIELD, 0, SIZE_FIELD, true);
        this.currentLimit = currentLimit;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (in.readableBytes() >= SIZE_FIELD) {
            long size = in.getUnsignedInt(in.readerIndex());
            int limit = currentLimit.getAsInt();
            if (size > limit) {
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("frame of " + size + " bytes exceeds the limit of " + limit + " bytes"
                        + " for this connection");
            }
        }
        return super.decode(ctx, in);
    }
}
