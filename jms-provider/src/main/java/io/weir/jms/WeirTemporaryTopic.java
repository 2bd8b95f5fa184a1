package io.weir.jms;

import jakarta.jms.JMSException;
import jakarta.jms.TemporaryTopic;

/**
 * A temporary topic, owned by the connection that created it. One decoded from a message header has no
 * owner: {@link #delete()} then throws {@link jakarta.jms.IllegalStateException}.
 */
public final class WeirTemporaryTopic extends WeirTopic implements TemporaryTopic {

    private static final long serialVersionUID = 1L;

    private final transient TemporaryDestinationOwner owner;

    /** A temporary topic named {@code name}, deleted through {@code owner} (null when not known). */
    public WeirTemporaryTopic(String name, TemporaryDestinationOwner owner) {
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
            throw new jakarta.jms.IllegalStateException("Temporary topic " + name()
                    + " was not created by this connection and cannot be deleted through this reference");
        }
        owner.deleteTemporary(this);
    }
}
