package io.weir.jms;

import jakarta.jms.JMSConsumer;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

import static io.weir.jms.JmsExceptionSupport.runtime;
import static io.weir.jms.JmsExceptionSupport.runtimeVoid;

/** The simplified API's consumer over a classic {@link WeirMessageConsumer}. */
final class WeirJMSConsumer implements JMSConsumer {

    private final WeirMessageConsumer consumer;

    WeirJMSConsumer(WeirMessageConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public String getMessageSelector() {
        return runtime(consumer::getMessageSelector);
    }

    @Override
    public MessageListener getMessageListener() {
        return runtime(consumer::getMessageListener);
    }

    @Override
    public void setMessageListener(MessageListener listener) {
        runtimeVoid(() -> consumer.setMessageListener(listener));
    }

    @Override
    public Message receive() {
        return runtime(consumer::receive);
    }

    @Override
    public Message receive(long timeout) {
        return runtime(() -> consumer.receive(timeout));
    }

    @Override
    public Message receiveNoWait() {
        return runtime(consumer::receiveNoWait);
    }

    @Override
    public void close() {
        runtimeVoid(consumer::close);
    }

    @Override
    public <T> T receiveBody(Class<T> c) {
        return runtime(() -> consumer.receiveBody(c, -1));
    }

    @Override
    public <T> T receiveBody(Class<T> c, long timeout) {
        return runtime(() -> consumer.receiveBody(c, timeout <= 0 ? -1 : timeout));
    }

    @Override
    public <T> T receiveBodyNoWait(Class<T> c) {
        return runtime(() -> consumer.receiveBody(c, 0));
    }

}
