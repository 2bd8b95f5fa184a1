package io.weir.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's listener: a Netty server whose pipeline per connection is
 * {@link KafkaFrameDecoder} (size-prefixed frames, {@code socket.request.max.bytes}) →
 * {@link KafkaConnectionHandler} (header and body decoding, one request at a time, ordered
 * responses), with an idle timeout ({@code connections.max.idle.ms}).
 *
 * <p>Lifecycle: {@code LATENT → STARTED → CLOSED}. Thread-safe.
 */
public final class SocketServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SocketServer.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final String host;
    private final int port;
    private final ListenerContext listener;
    private final io.netty.handler.ssl.SslContext sslContext;
    private final int maxRequestSize;
    private final long idleMs;
    private final int networkThreads;
    private final RequestProcessor processor;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicLong connectionIds = new AtomicLong();
    private final ChannelGroup channels = new DefaultChannelGroup("weir-connections", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;

    public SocketServer(String host, int port, int maxRequestSize, long idleMs, int networkThreads, RequestProcessor processor) {
        this(new Listener("PLAINTEXT", org.apache.kafka.common.security.auth.SecurityProtocol.PLAINTEXT, host, port), null, null,
                io.weir.broker.common.Time.SYSTEM, maxRequestSize, idleMs, networkThreads, processor);
    }

    /**
     * A listener of any protocol.
     *
     * @param sslContext the server TLS context (SSL and SASL_SSL listeners), else null
     * @param sasl       how clients authenticate (SASL_PLAINTEXT and SASL_SSL listeners), else null
     */
    public SocketServer(Listener listener, io.netty.handler.ssl.SslContext sslContext, SaslServerProvider sasl,
                        io.weir.broker.common.Time time, int maxRequestSize, long idleMs, int networkThreads,
                        RequestProcessor processor) {
        if (listener.usesTls() != (sslContext != null) || listener.usesSasl() != (sasl != null)) {
            throw new IllegalArgumentException("Listener " + listener + " needs " + (listener.usesTls() ? "a" : "no")
                    + " TLS context and " + (listener.usesSasl() ? "" : "no ") + "SASL settings");
        }
        this.listener = new ListenerContext(listener.name(), listener.protocol(), sasl, time);
        this.sslContext = sslContext;
        this.host = listener.host();
        this.port = listener.port();
        this.maxRequestSize = maxRequestSize;
        this.idleMs = idleMs;
        this.networkThreads = networkThreads;
        this.processor = processor;
    }

    /**
     * Binds the listener.
     *
     * @throws KafkaException when the address cannot be bound
     */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("Socket server already started or closed");
        }
        bossGroup = new MultiThreadIoEventLoopGroup(1, new io.weir.broker.common.NamedThreadFactory("weir-acceptor", true),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(networkThreads,
                new io.weir.broker.common.NamedThreadFactory("weir-network", true), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        KafkaConnectionHandler handler = new KafkaConnectionHandler(processor, connectionIds.incrementAndGet(),
                                listener);
                        if (sslContext != null) {
                            ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS))
                                .addLast("frames", new KafkaFrameDecoder(maxRequestSize, () -> handler.maxFrameSize(maxRequestSize)))
                                .addLast("requests", handler);
                    }
                });
        try {
            serverChannel = bootstrap.bind(host, port).sync().channel();
        } catch (Exception e) {
            close();
            throw new KafkaException("Cannot listen on " + host + ":" + port + ": " + e, e);
        }
        log.info("Listener {} ({}) accepting Kafka clients on {}", listener.name(), listener.protocol(), serverChannel.localAddress());
    }

    public String listenerName() {
        return listener.name();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
