package io.weir.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes each frame into a {@link RequestContext}, hands requests to the
 * {@link RequestProcessor} one at a time, and writes responses in request order.
 *
 * <p>Requests of a connection are processed strictly one after another, as Kafka brokers do: a
 * producer pipelining five requests to one partition must see them appended in the order sent
 * (idempotent sequence numbers depend on it), and kafka-clients matches responses to requests by
 * order. Requests read while one is in flight wait in a queue; when the queue is long the channel
 * stops reading, which pushes back on the client through TCP.
 *
 * <p>When a request is answered on another thread (a request thread, a delayed operation's), the
 * next queued request of the connection is handed to the processor from that thread, without a
 * detour through the event loop: pipelined requests (a client's first ApiVersions, join and
 * Metadata; a producer's in-flight batches) then cost one hand-off each instead of two, and on
 * request threads none at all ({@link RequestProcessor#process}). Answers are still written by the
 * event loop, every one through its task queue, so that they leave in request order whichever
 * thread produced them.
 *
 * <p>A frame that cannot be read (over {@code socket.request.max.bytes}, a garbled header, an unknown
 * API key, an unsupported version other than ApiVersions', a body that does not decode) closes the
 * connection with one log line naming the client: the protocol has no error response for a request
 * it cannot parse. Nothing else is affected.
 *
 * <p>The request queue and its flags are guarded by this handler's monitor (they are touched by the
 * event loop and by the threads that answer); the rest is confined to the channel's event loop.
 */
final class KafkaConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(KafkaConnectionHandler.class);
    private static final int MAX_QUEUED = 16;

    private record Pending(RequestContext context, AbstractResponse precomputed, short responseVersion, byte[] rawToken,
                           String closeAfter) {
        Pending(RequestContext context, AbstractResponse precomputed, short responseVersion) {
            this(context, precomputed, responseVersion, null, null);
        }
    }

    private final RequestProcessor processor;
    private final long connectionId;
    private final ListenerContext listener;
    /** Null on listeners without SASL. */
    private final SaslAuthenticator sasl;
    /** Guarded by this. */
    private final ArrayDeque<Pending> queued = new ArrayDeque<>();
    /** Guarded by this. */
    private boolean inFlight;
    /** Throttled: a quota's throttle time runs, nothing is read or dispatched until it ends. Guarded by this. */
    private boolean muted;
    /** The latest response write, so that a close can wait for it (event loop). */
    private io.netty.channel.ChannelFuture lastWrite;
    /** Guarded by this. */
    private boolean closing;
    /** Who this connection authenticated as; anonymous until an authentication step says otherwise. */
    private KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;

    KafkaConnectionHandler(RequestProcessor processor, long connectionId) {
        this(processor, connectionId, ListenerContext.plaintext());
    }

    KafkaConnectionHandler(RequestProcessor processor, long connectionId, ListenerContext listener) {
        this.processor = processor;
        this.connectionId = connectionId;
        this.listener = listener;
        this.sasl = listener.sasl() == null ? null : new SaslAuthenticator(listener.sasl(), listener.time());
    }

    /** The largest frame this connection accepts now (small until a SASL client has authenticated). */
    int maxFrameSize(int configured) {
        return sasl == null ? configured : sasl.maxReceiveSize(configured);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        ByteBuffer buffer;
        try {
            // a heap copy: the request (with its records) outlives this read and the pooled buffer
            buffer = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(buffer);
            buffer.flip();
        } finally {
            frame.release();
        }
        if (isClosing()) {
            return;
        }
        Pending pending = decode(ctx, buffer);
        if (pending == null) {
            return;
        }
        synchronized (this) {
            queued.add(pending);
            if (queued.size() >= MAX_QUEUED) {
                ctx.channel().config().setAutoRead(false);
            }
        }
        dispatchNext(ctx);
    }

    private Pending decode(ChannelHandlerContext ctx, ByteBuffer buffer) {
        if (sasl != null && sasl.expectsRawToken()) {
            SaslAuthenticator.Outcome outcome = sasl.rawToken(buffer);
            return new Pending(null, null, (short) 0, outcome.rawToken(), outcome.failure());
        }
        RequestHeader header;
        try {
            header = RequestHeader.parse(buffer);
        } catch (RuntimeException e) {
            closeWith(ctx, "cannot parse the request header (" + e.getMessage() + ")");
            return null;
        }
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        if (sasl != null && key != ApiKeys.API_VERSIONS) {
            if (key == ApiKeys.SASL_HANDSHAKE || key == ApiKeys.SASL_AUTHENTICATE) {
                return authenticate(ctx, header, buffer);
            }
            if (sasl.principal() == null || sasl.state() == SaslAuthenticator.State.AUTHENTICATE) {
                closeWith(ctx, key + " v" + version + " before SASL authentication completed (correlation id "
                        + header.correlationId() + ")");
                return null;
            }
            if (sasl.sessionExpired()) {
                closeWith(ctx, "the SASL session of " + sasl.principal() + " expired (connections.max.reauth.ms) before "
                        + key + "; the client did not re-authenticate");
                return null;
            }
        }
        if (!processor.supports(key, version)) {
            if (key == ApiKeys.API_VERSIONS) {
                RequestContext rc = context(ctx, header, null, buffer.remaining());
                return new Pending(rc, processor.unsupportedApiVersionsResponse(rc), (short) 0);
            }
            closeWith(ctx, key + " version " + version + " is not supported (correlation id " + header.correlationId() + ")");
            return null;
        }
        try {
            RequestAndSize body = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(buffer));
            RequestContext rc = context(ctx, header, body.request, body.size);
            return new Pending(rc, processor.answerAtOnce(rc), version);
        } catch (RuntimeException e) {
            closeWith(ctx, "cannot parse the body of " + key + " v" + version + " (correlation id "
                    + header.correlationId() + "): " + e.getMessage());
            return null;
        }
    }

    private RequestContext context(ChannelHandlerContext ctx, RequestHeader header, AbstractRequest body, int size) {
        KafkaPrincipal who = sasl != null && sasl.principal() != null ? sasl.principal() : principal;
        return new RequestContext(header, body, size, ctx.channel().remoteAddress(), connectionId, who, listener.name(),
                listener.protocol());
    }

    /** SaslHandshake and SaslAuthenticate on a SASL listener: answered here, in order with the other responses. */
    private Pending authenticate(ChannelHandlerContext ctx, RequestHeader header, ByteBuffer buffer) {
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        if (!key.isVersionSupported(version) || version > (key == ApiKeys.SASL_HANDSHAKE ? 1 : 2)) {
            closeWith(ctx, key + " version " + version + " is not supported (correlation id " + header.correlationId() + ")");
            return null;
        }
        AbstractRequest body;
        try {
            body = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(buffer)).request;
        } catch (RuntimeException e) {
            closeWith(ctx, "cannot parse the body of " + key + " v" + version + ": " + e.getMessage());
            return null;
        }
        SaslAuthenticator.Outcome outcome = key == ApiKeys.SASL_HANDSHAKE
                ? sasl.handshake((org.apache.kafka.common.requests.SaslHandshakeRequest) body, version)
                : sasl.authenticate((org.apache.kafka.common.requests.SaslAuthenticateRequest) body, version);
        RequestContext rc = context(ctx, header, body, buffer.limit());
        if (outcome.failure() == null && key == ApiKeys.SASL_AUTHENTICATE && sasl.state() == SaslAuthenticator.State.AUTHENTICATED) {
            log.debug("Connection {} from {} authenticated as {} on {}", connectionId, ctx.channel().remoteAddress(),
                    sasl.principal(), listener.name());
        }
        return new Pending(rc, outcome.response(), version, null, outcome.failure());
    }

    private synchronized boolean isClosing() {
        return closing;
    }

    /** Hands the next queued request to the processor if none is in flight; from any thread. */
    private void dispatchNext(ChannelHandlerContext ctx) {
        Pending next;
        synchronized (this) {
            while (true) {
                if (inFlight || muted || queued.isEmpty() || closing) {
                    return;
                }
                next = queued.poll();
                if (queued.size() < MAX_QUEUED / 2) {
                    ctx.channel().config().setAutoRead(true);
                }
                if (next.context() != null && next.precomputed() == null) {
                    inFlight = true;
                    break;
                }
                Pending answered = next;
                onLoop(ctx, () -> writeAnswered(ctx, answered));
                if (next.closeAfter() != null) {
                    closeWith(ctx, next.closeAfter());
                }
            }
        }
        CompletableFuture<AbstractResponse> future;
        try {
            future = processor.process(next.context());
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        Pending request = next;
        future.whenComplete((response, error) -> answered(ctx, request, response, error));
    }

    /** A raw SASL token (after SaslHandshake v0) or an answer given at decoding. Event loop. */
    private void writeAnswered(ChannelHandlerContext ctx, Pending p) {
        if (p.context() == null) {
            if (p.rawToken() != null) {
                ByteBuf buf = ctx.alloc().buffer(4 + p.rawToken().length);
                buf.writeInt(p.rawToken().length).writeBytes(p.rawToken());
                lastWrite = ctx.writeAndFlush(buf);
            }
        } else {
            write(ctx, p, p.precomputed());
        }
    }

    /**
     * Runs {@code task} on the event loop after every task queued there before it, also when called on the event loop:
     * answers are written in the order their writes were queued, whichever thread queued them.
     */
    private static void onLoop(ChannelHandlerContext ctx, Runnable task) {
        ctx.executor().execute(task);
    }

    /**
     * The processor answered {@code pending} (on any thread). The common case (an answer, no throttle, the connection
     * open, off the event loop) queues the answer's write on the event loop and dispatches the next request from this
     * thread; the others are settled on the event loop.
     */
    private void answered(ChannelHandlerContext ctx, Pending pending, AbstractResponse response, Throwable error) {
        if (error == null && response != null && !ctx.executor().inEventLoop() && ctx.channel().isActive()) {
            int throttleMs = processor.muteMs(pending.context(), response);
            if (throttleMs == 0) {
                synchronized (this) {
                    onLoop(ctx, () -> write(ctx, pending, response));
                    inFlight = false;
                }
                dispatchNext(ctx);
                return;
            }
            onLoop(ctx, () -> complete(ctx, pending, response, null, throttleMs));
            return;
        }
        if (ctx.executor().inEventLoop()) {
            complete(ctx, pending, response, error, -1);
        } else {
            onLoop(ctx, () -> complete(ctx, pending, response, error, -1));
        }
    }

    /** @param knownThrottleMs the processor's {@code muteMs} when already asked, else -1. Event loop. */
    private void complete(ChannelHandlerContext ctx, Pending pending, AbstractResponse response, Throwable error,
                          int knownThrottleMs) {
        synchronized (this) {
            inFlight = false;
        }
        if (!ctx.channel().isActive()) {
            if (error == null && response == null) {
                processor.muteMs(pending.context(), null); // nobody left to mute: the processor forgets the throttle
            }
            runUnansweredAfterClose(ctx);
            return;
        }
        AbstractResponse toSend = response;
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            log.error("Unexpected failure handling {}", pending.context(), cause);
            toSend = pending.context().request().getErrorResponse(cause);
        }
        int throttleMs = error != null ? 0 : knownThrottleMs >= 0 ? knownThrottleMs : processor.muteMs(pending.context(), toSend);
        if (throttleMs > 0) {
            throttle(ctx, pending, toSend, throttleMs);
            return;
        }
        if (toSend != null) {
            AbstractResponse answer = toSend;
            onLoop(ctx, () -> write(ctx, pending, answer));
        }
        dispatchNext(ctx);
    }

    /**
     * A client over its quota (KIP-219): the answer carries the throttle time and goes out at once to a
     * client that waits by itself (newer versions; late, when the throttle ends, to one that does not),
     * and the connection is muted until then: nothing more is read or dispatched from it. A request
     * without an answer ({@code response} null) only mutes.
     */
    private void throttle(ChannelHandlerContext ctx, Pending pending, AbstractResponse response, int throttleMs) {
        boolean clientWaits = response == null || response.shouldClientThrottle(pending.responseVersion());
        if (clientWaits && response != null) {
            onLoop(ctx, () -> write(ctx, pending, response));
        }
        synchronized (this) {
            muted = true;
        }
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> {
            synchronized (this) {
                muted = false;
            }
            if (!ctx.channel().isActive()) {
                return;
            }
            if (!clientWaits) {
                write(ctx, pending, response); // nothing was written since: the connection was muted
            }
            synchronized (this) {
                if (queued.size() < MAX_QUEUED) {
                    ctx.channel().config().setAutoRead(true);
                }
            }
            dispatchNext(ctx);
        }, throttleMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * The client closed its connection while requests it sent were still queued. Those that need no answer
     * (acks=0 produce requests) still run, as on a Kafka broker, which handles what it has received before a
     * close: an acks=0 producer that sends and closes would otherwise lose its last records. The others are
     * dropped: nobody is left to read their answers.
     */
    private void runUnansweredAfterClose(ChannelHandlerContext ctx) {
        while (true) {
            Pending next;
            synchronized (this) {
                if (inFlight || queued.isEmpty() || closing) {
                    return;
                }
                next = queued.poll();
                if (next.context() == null || next.precomputed() != null
                        || !(next.context().request() instanceof org.apache.kafka.common.requests.ProduceRequest produce)
                        || produce.acks() != 0) {
                    log.debug("Dropping {} of closed connection {}", next.context(), connectionId);
                    continue;
                }
                inFlight = true;
            }
            CompletableFuture<AbstractResponse> future;
            try {
                future = processor.process(next.context());
            } catch (RuntimeException e) {
                future = CompletableFuture.failedFuture(e);
            }
            future.whenComplete((response, error) -> {
                if (error != null) {
                    log.warn("Handling {} of closed connection {} failed", next.context(), connectionId, error);
                }
                answered(ctx, next, null, null); // nothing to write: settled on the event loop
            });
        }
    }

    private void write(ChannelHandlerContext ctx, Pending pending, AbstractResponse response) {
        Send send = response.toSend(pending.context().header().toResponseHeader(), pending.responseVersion());
        if (response.apiKey() == ApiKeys.FETCH && !listener.tls()) { // TLS must encrypt: no zero-copy there
            lastWrite = ctx.writeAndFlush(new SendFileRegion(send));
            return;
        }
        ByteBuf buf = ctx.alloc().buffer((int) send.size());
        try {
            ByteBufTransferableChannel channel = new ByteBufTransferableChannel(buf);
            while (!send.completed()) {
                send.writeTo(channel);
            }
        } catch (IOException | RuntimeException e) {
            buf.release();
            log.error("Cannot serialize the response to {}", pending.context(), e);
            ctx.close();
            return;
        }
        lastWrite = ctx.writeAndFlush(buf);
    }

    private void closeWith(ChannelHandlerContext ctx, String reason) {
        boolean first;
        synchronized (this) {
            first = !closing;
            closing = true;
        }
        if (first) {
            log.warn("Closing connection {} from {}: {} (listener {})", connectionId, ctx.channel().remoteAddress(), reason,
                    listener.name());
        }
        // after what was written so far, and what is queued to be written (a SASL refusal goes out before the close)
        onLoop(ctx, () -> {
            io.netty.channel.ChannelFuture last = lastWrite;
            if (last != null && !last.isDone()) {
                last.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (sasl != null) {
            long timeoutMs = listener.sasl().authenticationTimeoutMs();
            // bounds what an unauthenticated peer can hold: a handshake that never finishes ends here
            ctx.executor().schedule(() -> {
                if (ctx.channel().isActive() && sasl.principal() == null) {
                    closeWith(ctx, "SASL authentication not completed within " + timeoutMs + " ms");
                }
            }, timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            processor.connectionClosed(connectionId);
        } catch (RuntimeException e) {
            log.warn("Cleaning up after connection {} from {} failed", connectionId, ctx.channel().remoteAddress(), e);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof TooLongFrameException || root instanceof CorruptedFrameException) {
            closeWith(ctx, "request frame rejected (" + root.getMessage() + ")");
        } else if (root instanceof io.netty.handler.ssl.NotSslRecordException) {
            closeWith(ctx, "not a TLS record on a TLS listener (a plaintext client?)");
        } else if (root instanceof javax.net.ssl.SSLException) {
            closeWith(ctx, "TLS failure: " + root.getMessage());
        } else if (root instanceof IOException) {
            log.debug("Connection {} from {} failed: {}", connectionId, ctx.channel().remoteAddress(), root.toString());
            ctx.close();
        } else {
            log.warn("Closing connection {} from {} after an unexpected error", connectionId, ctx.channel().remoteAddress(), root);
            synchronized (this) {
                closing = true;
            }
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                closeWith(ctx, done.cause() instanceof io.netty.handler.ssl.NotSslRecordException
                        ? "not a TLS record on a TLS listener (a plaintext client?)"
                        : "TLS handshake failed: " + done.cause().getMessage());
                return;
            }
            if (sasl == null) {
                principal = TlsPrincipal.of(ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class));
                log.debug("Connection {} from {} is {} (TLS)", connectionId, ctx.channel().remoteAddress(), principal);
            }
        }
        if (evt instanceof IdleStateEvent) {
            log.debug("Closing idle connection {} from {}", connectionId, ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
