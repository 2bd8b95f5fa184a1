package io.weir.jms;

import jakarta.jms.Topic;

/** A topic: every subscription sees every message. */
public class WeirTopic extends WeirDestination implements Topic {

    private static final long serialVersionUID = 1L;

    /** A topic named {@code name}; the name is checked by {@link DestinationNames#validate} where it is created. */
    public WeirTopic(String name) {
        super(name);
    }

    @Override
    public String getTopicName() {
        return name();
    }

    @Override
    public boolean isQueue() {
        return false;
    }

    @Override
    public boolean isTemporary() {
        return false;
    }
}
