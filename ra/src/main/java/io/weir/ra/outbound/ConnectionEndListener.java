package io.weir.ra.outbound;

import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The connection event listener of a connection manager that acts only on the end of a handle's use: what to do
 * when the application closed a handle ({@code CONNECTION_CLOSED}) and when the managed connection failed
 * ({@code CONNECTION_ERROR_OCCURRED}). The local transaction events are ignored: Weir's managed connections do not
 * send them (a server learns of local transactions through the {@code LocalTransaction} it drives itself).
 * Thread-safe if the two actions are.
 */
public final class ConnectionEndListener implements ConnectionEventListener {

    private final Consumer<ConnectionEvent> closed;
    private final Consumer<ConnectionEvent> failed;

    /**
     * @param closed what to do with the event of a closed handle
     * @param failed what to do with the event of a failed connection
     */
    public ConnectionEndListener(Consumer<ConnectionEvent> closed, Consumer<ConnectionEvent> failed) {
        this.closed = Objects.requireNonNull(closed, "closed");
        this.failed = Objects.requireNonNull(failed, "failed");
    }

    @Override
    public void connectionClosed(ConnectionEvent event) {
        closed.accept(event);
    }

    @Override
    public void connectionErrorOccurred(ConnectionEvent event) {
        failed.accept(event);
    }

    @Override
    public void localTransactionStarted(ConnectionEvent event) {
    }

    @Override
    public void localTransactionCommitted(ConnectionEvent event) {
    }

    @Override
    public void localTransactionRolledback(ConnectionEvent event) {
    }
}
