package io.weir.jms;

import jakarta.jms.Queue;

/** A queue: its messages are shared by the consumers of one Kafka consumer group per queue. */
public class WeirQueue extends WeirDestination implements Queue {

    private static final long serialVersionUID = 1L;

    /** A queue named {@code name}; the name is checked by {@link DestinationNames#validate} where it is created. */
    public WeirQueue(String name) {
        super(name);
    }

    @Override
    public String getQueueName() {
        return name();
    }

    @Override
    public boolean isQueue() {
        return true;
    }

    @Override
    public boolean isTemporary() {
        return false;
    }
}
