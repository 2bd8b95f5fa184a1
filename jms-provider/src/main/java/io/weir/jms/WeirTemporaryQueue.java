package io.weir.jms;

import jakarta.jms.JMSException;
import jakarta.jms.TemporaryQueue;

/**
 * A temporary queue, owned by the connection that created it. One decoded from a message header has no
 * owner: {@link #delete()} then throws {@link jakarta.jms.IllegalStateException}.
 */
public final class WeirTemporaryQueue extends WeirQueue implements TemporaryQueue {

    private static final long serialVersionUID = 1L;

    private final transient TemporaryDestinationOwner owner;

    /** A temporary queue named {@code name}, deleted through {@code owner} (null when not known). */
    public WeirTemporaryQueue(String name, TemporaryDestinationOwner owner) {
        super(name);
        this.owner = owner;
    }

    @Override
    public boolean isTemporary() {
        return true;
    }

    @Override
    public void delete() throws JMSException {
        if (owner == null) {
            throw new jakarta.jms.IllegalStateException("Temporary queue " + name()
                    + " was not created by this connection and cannot be deleted through this reference");
        }
        owner.deleteTemporary(this);
    }
}
