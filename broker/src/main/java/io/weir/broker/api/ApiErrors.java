package io.weir.broker.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps domain exceptions to Kafka error codes: the one place the api layer does so. */
final class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The error code for {@code t}; unexpected failures are logged, as the client only sees UNKNOWN_SERVER_ERROR. */
    static Errors errorFor(Throwable t, Object context) {
        Throwable cause = unwrap(t);
        Errors error = Errors.forException(cause);
        if (error == Errors.UNKNOWN_SERVER_ERROR) {
            log.error("Unexpected failure for {}", context, cause);
        } else {
            log.debug("{} for {}: {}", error, context, cause.getMessage());
        }
        return error;
    }
}
