package io.weir.jms.message;

import io.weir.jms.WeirDestination;
import io.weir.jms.WeirQueue;
import io.weir.jms.WeirTemporaryQueue;
import io.weir.jms.WeirTemporaryTopic;
import io.weir.jms.WeirTopic;
import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

import java.util.Enumeration;

/** Conversions of other providers' messages and destinations into Weir's, for sending. Stateless. */
public final class WeirMessages {

    private WeirMessages() {
    }

    /**
     * A WeirMessage with the headers, properties and body of {@code m}; {@code m} itself when it already is
     * one. A foreign BytesMessage or StreamMessage is {@code reset()} to be read, as other providers do.
     */
    public static WeirMessage fromForeign(Message m) throws JMSException {
        if (m instanceof WeirMessage w) {
            return w;
        }
        WeirMessage w = foreignBody(m);
        w.setJMSMessageID(m.getJMSMessageID());
        w.setJMSTimestamp(m.getJMSTimestamp());
        byte[] correlationBytes = null;
        try {
            correlationBytes = m.getJMSCorrelationIDAsBytes();
        } catch (UnsupportedOperationException | JMSException e) {
            // providers may not support byte correlation IDs; the String form is taken below
        }
        String correlation = m.getJMSCorrelationID();
        if (correlation == null && correlationBytes != null) {
            w.setJMSCorrelationIDAsBytes(correlationBytes);
        } else {
            w.setJMSCorrelationID(correlation);
        }
        w.setJMSReplyTo(m.getJMSReplyTo() == null ? null : toWeirDestination(m.getJMSReplyTo()));
        w.setJMSDestination(m.getJMSDestination() == null ? null : toWeirDestination(m.getJMSDestination()));
        w.setJMSDeliveryMode(m.getJMSDeliveryMode());
        w.setJMSRedelivered(m.getJMSRedelivered());
        w.setJMSType(m.getJMSType());
        w.setJMSExpiration(m.getJMSExpiration());
        w.setJMSDeliveryTime(m.getJMSDeliveryTime());
        w.setJMSPriority(m.getJMSPriority());
        Enumeration<?> names = m.getPropertyNames();
        while (names.hasMoreElements()) {
            String name = (String) names.nextElement();
            try {
                w.setObjectProperty(name, m.getObjectProperty(name));
            } catch (IllegalArgumentException e) {
                MessageFormatException mfe = new MessageFormatException("The message of another provider has the "
                        + "property '" + name + "', which is not a legal JMS property name: " + e.getMessage());
                mfe.initCause(e);
                throw mfe;
            }
        }
        return w;
    }

    private static WeirMessage foreignBody(Message m) throws JMSException {
        if (m instanceof TextMessage t) {
            return new WeirTextMessage(t.getText());
        }
        if (m instanceof BytesMessage b) {
            b.reset();
            WeirBytesMessage w = new WeirBytesMessage();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = b.readBytes(chunk)) > 0) {
                w.writeBytes(chunk, 0, n);
            }
            return w;
        }
        if (m instanceof MapMessage map) {
            WeirMapMessage w = new WeirMapMessage();
            Enumeration<?> names = map.getMapNames();
            while (names.hasMoreElements()) {
                String name = (String) names.nextElement();
                w.setObject(name, map.getObject(name));
            }
            return w;
        }
        if (m instanceof StreamMessage s) {
            s.reset();
            WeirStreamMessage w = new WeirStreamMessage();
            while (true) {
                Object v;
                try {
                    v = s.readObject();
                } catch (MessageEOFException end) {
                    break;
                }
                w.writeObject(v);
            }
            return w;
        }
        if (m instanceof ObjectMessage o) {
            WeirObjectMessage w = new WeirObjectMessage();
            w.setObject(o.getObject());
            return w;
        }
        return new WeirPlainMessage();
    }

    /**
     * The Weir destination of the same kind and name as {@code d}. A foreign temporary destination becomes
     * one without an owner.
     *
     * @throws InvalidDestinationException if {@code d} is neither a Queue nor a Topic
     */
    public static WeirDestination toWeirDestination(Destination d) throws JMSException {
        if (d instanceof WeirDestination w) {
            return w;
        }
        if (d instanceof TemporaryQueue q) {
            return new WeirTemporaryQueue(q.getQueueName(), null);
        }
        if (d instanceof TemporaryTopic t) {
            return new WeirTemporaryTopic(t.getTopicName(), null);
        }
        if (d instanceof Queue q) {
            return new WeirQueue(q.getQueueName());
        }
        if (d instanceof Topic t) {
            return new WeirTopic(t.getTopicName());
        }
        throw new InvalidDestinationException("Destination " + d + " (" + d.getClass().getName()
                + ") is neither a Queue nor a Topic");
    }
}
