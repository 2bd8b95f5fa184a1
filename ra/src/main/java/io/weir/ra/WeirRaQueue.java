package io.weir.ra;

import jakarta.jms.Queue;

/** The queue admin object ({@code adminobject-class} for {@code jakarta.jms.Queue} in ra.xml). */
public class WeirRaQueue extends AdminDestination implements Queue {

    private static final long serialVersionUID = 1L;

    public WeirRaQueue() {
    }

    public WeirRaQueue(String name) {
        setName(name);
    }

    @Override
    public String getQueueName() {
        return checkedName();
    }

    @Override
    public String toString() {
        return "queue://" + getName();
    }
}
