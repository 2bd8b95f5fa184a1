package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Handles one API key: validates the request, calls domain services and answers. Runs on a request
 * handler thread, where blocking on disk is allowed; waiting (long polls, fsyncs) is expressed as the
 * returned future instead. Domain exceptions become Kafka error codes here, per partition or topic.
 */
interface ApiHandler<R extends AbstractRequest> {

    ApiKeys apiKey();

    /** The oldest version implemented. */
    default short minVersion() {
        return apiKey().oldestVersion();
    }

    /** The newest version implemented. */
    default short maxVersion() {
        return apiKey().latestVersion(false);
    }

    /** The response, or a future of {@code null} when none is sent. */
    CompletableFuture<AbstractResponse> handle(RequestContext context, R request);
}
