package io.weir.ra.outbound;

import io.weir.ra.ProviderClassLoader;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;

import java.util.Enumeration;

/** A browser made through a {@link WeirRaSession}: enumerating (which reads with a Kafka consumer) runs with the adapter's context class loader. */
final class WeirRaQueueBrowser implements QueueBrowser {

    private final QueueBrowser delegate;

    WeirRaQueueBrowser(QueueBrowser delegate) {
        this.delegate = delegate;
    }

    @Override
    public Queue getQueue() throws JMSException {
        return delegate.getQueue();
    }

    @Override
    public String getMessageSelector() throws JMSException {
        return delegate.getMessageSelector();
    }

    @Override
    public Enumeration<?> getEnumeration() throws JMSException {
        Enumeration<?> e = ProviderClassLoader.call(delegate::getEnumeration);
        return new Enumeration<Object>() {
            @Override
            public boolean hasMoreElements() {
                ClassLoader previous = ProviderClassLoader.enter();
                try {
                    return e.hasMoreElements();
                } finally {
                    ProviderClassLoader.exit(previous);
                }
            }

            @Override
            public Object nextElement() {
                ClassLoader previous = ProviderClassLoader.enter();
                try {
                    return e.nextElement();
                } finally {
                    ProviderClassLoader.exit(previous);
                }
            }
        };
    }

    @Override
    public void close() throws JMSException {
        delegate.close();
    }
}
