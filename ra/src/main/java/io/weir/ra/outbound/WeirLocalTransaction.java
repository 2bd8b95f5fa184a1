package io.weir.ra.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.LocalTransaction;

/**
 * The container's handle on a managed connection's local transaction: {@code begin} moves the connection's
 * handles onto its transacted provider session, {@code commit} sends the buffered messages (waiting for the
 * brokers) and commits what was received, {@code rollback} discards both. This is how a send in a container
 * transaction commits or rolls back with it, with no XA (one-phase: last-resource semantics in a transaction
 * that spans other resources).
 */
final class WeirLocalTransaction implements LocalTransaction {

    private final WeirManagedConnection connection;

    WeirLocalTransaction(WeirManagedConnection connection) {
        this.connection = connection;
    }

    @Override
    public void begin() throws ResourceException {
        connection.beginManaged();
    }

    @Override
    public void commit() throws ResourceException {
        connection.endManaged(true);
    }

    @Override
    public void rollback() throws ResourceException {
        connection.endManaged(false);
    }
}
