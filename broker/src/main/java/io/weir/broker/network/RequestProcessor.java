package io.weir.broker.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * What the network layer hands decoded requests to (implemented by the {@code api} layer). Called on a
 * Netty event loop or on the thread that answered a connection's previous request: implementations
 * must not block, and move disk or waiting work to their own threads.
 */
public interface RequestProcessor {

    /**
     * Handles one request. Called on the event loop that read it, or on the thread that answered the connection's
     * previous request (a request thread, a delayed operation's thread).
     *
     * @return the response, or a future completing with {@code null} when the protocol sends none
     *         (produce with acks=0)
     */
    CompletableFuture<AbstractResponse> process(RequestContext request);

    /** Whether this broker implements {@code version} of {@code apiKey}. */
    boolean supports(ApiKeys apiKey, short version);

    /**
     * The answer to {@code request} given at once, on the event loop that read it, or null when it goes to
     * {@link #process}: for requests whose answer needs neither a request thread nor anything that may block
     * (ApiVersions, the first request of nearly every connection). Answered so, it costs no hand-off to a request
     * thread and back, which on a connection's first requests is most of their latency.
     */
    default AbstractResponse answerAtOnce(RequestContext request) {
        return null;
    }

    /** The answer to an ApiVersions request whose version this broker does not know. */
    AbstractResponse unsupportedApiVersionsResponse(RequestContext request);

    /**
     * How long the connection stays muted after {@code response} is written: the throttle time of a client
     * over its quota (KIP-219), or 0. Only what this says mutes a connection; a throttle time in a response
     * alone does not. Asked once per request that completed without failing, also when it has no answer
     * ({@code response} null: produce with acks=0).
     */
    default int muteMs(RequestContext request, AbstractResponse response) {
        return 0;
    }

    /** Called once when a client connection closes (its share sessions end). */
    default void connectionClosed(long connectionId) {
    }
}
