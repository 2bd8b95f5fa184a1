package io.weir.ra.outbound;

import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.MessageListener;

import static io.weir.jms.JmsExceptionSupport.runtime;
import static io.weir.jms.JmsExceptionSupport.runtimeVoid;

/** The simplified API's consumer over a session handle's consumer; message listeners are refused (EE). */
final class WeirRaJMSConsumer implements JMSConsumer {

    private final WeirRaJMSContext context;
    private final MessageConsumer consumer;

    WeirRaJMSConsumer(WeirRaJMSContext context, MessageConsumer consumer) {
        this.context = context;
        this.consumer = consumer;
    }

    @Override
    public String getMessageSelector() {
        return runtime(consumer::getMessageSelector);
    }

    @Override
    public MessageListener getMessageListener() {
        throw new IllegalStateRuntimeException("JMSConsumer.getMessageListener must not be used in a Jakarta EE web or EJB container");
    }

    @Override
    public void setMessageListener(MessageListener listener) {
        throw new IllegalStateRuntimeException("JMSConsumer.setMessageListener must not be used in a Jakarta EE web or "
                + "EJB container: receive asynchronously with a message-driven bean");
    }

    private Message track(Message m) {
        context.received(m);
        return m;
    }

    @Override
    public Message receive() {
        return track(runtime(consumer::receive));
    }

    @Override
    public Message receive(long timeout) {
        return track(runtime(() -> consumer.receive(timeout)));
    }

    @Override
    public Message receiveNoWait() {
        return track(runtime(consumer::receiveNoWait));
    }

    @Override
    public void close() {
        runtimeVoid(consumer::close);
    }

    @Override
    public <T> T receiveBody(Class<T> c) {
        return body(receive(), c);
    }

    @Override
    public <T> T receiveBody(Class<T> c, long timeout) {
        return body(receive(timeout), c);
    }

    @Override
    public <T> T receiveBodyNoWait(Class<T> c) {
        return body(receiveNoWait(), c);
    }

    private static <T> T body(Message m, Class<T> c) {
        if (m == null) {
            return null;
        }
        try {
            return m.getBody(c);
        } catch (MessageFormatException e) {
            throw new MessageFormatRuntimeException(e.getMessage(), e.getErrorCode(), e);
        } catch (JMSException e) {
            throw io.weir.jms.JmsExceptionSupport.toRuntime(e);
        }
    }
}
