package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;

/**
 * SaslHandshake and SaslAuthenticate where they reach this layer: on a listener without SASL, or
 * after authentication finished (SASL listeners answer them in the network layer). Both are
 * {@code ILLEGAL_SASL_STATE}, as Kafka answers them. Registered so that ApiVersions lists the keys.
 */
final class SaslOnPlainListenerHandlers {
    private SaslOnPlainListenerHandlers() {
    }

    static final class Handshake implements ApiHandler<SaslHandshakeRequest> {
        @Override
        public ApiKeys apiKey() {
            return ApiKeys.SASL_HANDSHAKE;
        }

        @Override
        public short maxVersion() {
            return 1;
        }

        @Override
        public CompletableFuture<AbstractResponse> handle(RequestContext context, SaslHandshakeRequest request) {
            return CompletableFuture.completedFuture(new SaslHandshakeResponse(new SaslHandshakeResponseData()
                    .setErrorCode(Errors.ILLEGAL_SASL_STATE.code()).setMechanisms(List.of())));
        }
    }

    static final class Authenticate implements ApiHandler<SaslAuthenticateRequest> {
        @Override
        public ApiKeys apiKey() {
            return ApiKeys.SASL_AUTHENTICATE;
        }

        @Override
        public short maxVersion() {
            return 2;
        }

        @Override
        public CompletableFuture<AbstractResponse> handle(RequestContext context, SaslAuthenticateRequest request) {
            return CompletableFuture.completedFuture(new SaslAuthenticateResponse(new SaslAuthenticateResponseData()
                    .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                    .setErrorMessage("SASL authentication is not enabled on listener " + context.listenerName())));
        }
    }
}
