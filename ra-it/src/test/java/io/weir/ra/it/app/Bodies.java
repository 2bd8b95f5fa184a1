package io.weir.ra.it.app;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;

/** The text of a received message: a TextMessage's text, or a BytesMessage's bytes as UTF-8 (a plain Kafka record). */
final class Bodies {

    private Bodies() {
    }

    static String text(Message message) throws JMSException {
        if (message instanceof TextMessage t) {
            return t.getText();
        }
        if (message instanceof BytesMessage b) {
            byte[] bytes = new byte[(int) b.getBodyLength()];
            b.readBytes(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException("Unexpected message type " + message.getClass().getName());
    }

    static int deliveryCount(Message message) throws JMSException {
        return message.propertyExists("JMSXDeliveryCount") ? message.getIntProperty("JMSXDeliveryCount") : 0;
    }
}
