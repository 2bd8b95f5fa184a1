package io.weir.jms.message;

import jakarta.jms.JMSException;

/** What {@link jakarta.jms.Message#acknowledge()} does for a received message; set by the consuming session. */
@FunctionalInterface
public interface MessageAcknowledger {

    void acknowledge() throws JMSException;
}
