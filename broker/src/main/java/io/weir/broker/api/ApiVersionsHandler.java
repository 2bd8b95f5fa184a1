package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/** ApiVersions: the keys and version ranges this broker implements, nothing more. */
final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {
    private final KafkaApis apis;

    ApiVersionsHandler(KafkaApis apis) {
        this.apis = apis;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ApiVersionsRequest request) {
        if (!request.isValid()) {
            return CompletableFuture.completedFuture(apis.apiVersionsResponse(Errors.INVALID_REQUEST));
        }
        return CompletableFuture.completedFuture(apis.apiVersionsResponse(Errors.NONE));
    }
}
