package io.weir.broker.api;

import java.util.function.UnaryOperator;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * What authorization makes of one request: refused whole (with the answer to send), or passed to its
 * handler, possibly with resources taken out of it, and the handler's answer amended (the refused
 * resources' errors added, resources the principal may not see filtered out).
 */
sealed interface Verdict {
    Verdict PROCEED = new Proceed(UnaryOperator.identity());

    record Refuse(AbstractResponse response) implements Verdict {
    }

    record Proceed(UnaryOperator<AbstractResponse> amend) implements Verdict {
    }
}
