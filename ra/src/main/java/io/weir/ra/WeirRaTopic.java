package io.weir.ra;

import jakarta.jms.Topic;

/** The topic admin object ({@code adminobject-class} for {@code jakarta.jms.Topic} in ra.xml). */
public class WeirRaTopic extends AdminDestination implements Topic {

    private static final long serialVersionUID = 1L;

    public WeirRaTopic() {
    }

    public WeirRaTopic(String name) {
        setName(name);
    }

    @Override
    public String getTopicName() {
        return checkedName();
    }

    @Override
    public String toString() {
        return "topic://" + getName();
    }
}
