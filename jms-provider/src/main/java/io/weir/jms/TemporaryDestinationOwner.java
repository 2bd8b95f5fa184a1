package io.weir.jms;

import jakarta.jms.JMSException;

/**
 * Whoever created a temporary destination (the connection) and so may delete it.
 * {@link WeirTemporaryQueue#delete()} and {@link WeirTemporaryTopic#delete()} call back here.
 */
public interface TemporaryDestinationOwner {

    /** Deletes {@code destination}; throws if it is still in use or cannot be deleted. */
    void deleteTemporary(WeirDestination destination) throws JMSException;
}
