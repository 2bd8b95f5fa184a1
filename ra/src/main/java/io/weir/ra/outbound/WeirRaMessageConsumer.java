package io.weir.ra.outbound;

import io.weir.ra.ProviderClassLoader;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.Queue;
import jakarta.jms.QueueReceiver;
import jakarta.jms.Topic;
import jakarta.jms.TopicSubscriber;

/**
 * A consumer made through a {@link WeirRaSession}: the provider's consumer, with message listeners refused as
 * Jakarta Messaging section 12.2 says for the EE web and EJB containers (asynchronous receipt is for MDBs).
 */
final class WeirRaMessageConsumer implements MessageConsumer, QueueReceiver, TopicSubscriber {

    private final MessageConsumer delegate;
    private final WeirRaSession session;
    private volatile boolean closed;

    WeirRaMessageConsumer(MessageConsumer delegate, WeirRaSession session) {
        this.delegate = delegate;
        this.session = session;
    }

    private void checkClosed() throws IllegalStateException {
        if (closed) {
            throw new IllegalStateException("The consumer is closed");
        }
    }

    @Override
    public String getMessageSelector() throws JMSException {
        checkClosed();
        return delegate.getMessageSelector();
    }

    @Override
    public MessageListener getMessageListener() throws JMSException {
        throw new IllegalStateException("MessageConsumer.getMessageListener must not be used in a Jakarta EE web or EJB container");
    }

    @Override
    public void setMessageListener(MessageListener listener) throws JMSException {
        throw new IllegalStateException("MessageConsumer.setMessageListener must not be used in a Jakarta EE web or "
                + "EJB container: receive asynchronously with a message-driven bean");
    }

    @Override
    public Message receive() throws JMSException {
        checkClosed();
        return ProviderClassLoader.call(delegate::receive);
    }

    @Override
    public Message receive(long timeout) throws JMSException {
        checkClosed();
        return ProviderClassLoader.call(() -> delegate.receive(timeout));
    }

    @Override
    public Message receiveNoWait() throws JMSException {
        checkClosed();
        return ProviderClassLoader.call(delegate::receiveNoWait);
    }

    /**
     * Closes the consumer. In a transaction (the container's or the session's own) the provider's consumer stays
     * open until the transaction ends, so that what it received commits or rolls back with it.
     */
    @Override
    public void close() throws JMSException {
        if (closed) {
            return;
        }
        closed = true;
        session.closeConsumer(delegate);
    }

    @Override
    public Queue getQueue() throws JMSException {
        return ((QueueReceiver) delegate).getQueue();
    }

    @Override
    public Topic getTopic() throws JMSException {
        return ((TopicSubscriber) delegate).getTopic();
    }

    @Override
    public boolean getNoLocal() throws JMSException {
        return ((TopicSubscriber) delegate).getNoLocal();
    }
}
