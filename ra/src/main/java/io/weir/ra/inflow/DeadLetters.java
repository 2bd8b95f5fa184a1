package io.weir.ra.inflow;

import io.weir.jms.WeirQueue;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The redelivery limit of an endpoint and where a message goes past it. A message whose
 * {@code JMSXDeliveryCount} exceeds {@code maxDeliveryAttempts} is sent to the dead-letter queue (with the
 * properties {@code WeirDeadLetterOrigin} and {@code WeirDeliveryAttempts} added) in the delivering session's
 * transaction, so it leaves the queue and reaches the dead-letter queue together. With no dead-letter queue
 * configured it is logged and dropped. Used by one {@link DeliverySession}'s thread.
 */
final class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    static final String ORIGIN_PROPERTY = "WeirDeadLetterOrigin";
    static final String ATTEMPTS_PROPERTY = "WeirDeliveryAttempts";

    private final WeirQueue queue;
    private final int maxDeliveryAttempts;
    private MessageProducer producer;

    DeadLetters(String queueName, Integer maxDeliveryAttempts) {
        this.queue = queueName == null || queueName.isBlank() ? null : new WeirQueue(queueName.trim());
        this.maxDeliveryAttempts = maxDeliveryAttempts == null ? 0 : maxDeliveryAttempts;
    }

    /** {@code JMSXDeliveryCount} of {@code m}, 1 when the provider did not set it. */
    static int deliveryCount(Message m) {
        try {
            Object o = m.getObjectProperty("JMSXDeliveryCount");
            return o instanceof Number n ? n.intValue() : 1;
        } catch (JMSException e) {
            return 1;
        }
    }

    /** True when a message at delivery {@code attempt} has used up its deliveries. */
    boolean exceeded(int attempt) {
        return maxDeliveryAttempts > 0 && attempt > maxDeliveryAttempts;
    }

    /** Sends {@code m} to the dead-letter queue in {@code session}'s transaction (or logs and drops it). */
    void send(Session session, Message m, int attempt, Destination origin) throws JMSException {
        if (queue == null) {
            log.warn("Dropping message {} from {}: delivered {} times (maxDeliveryAttempts {}) and no "
                    + "deadLetterDestination is set", m.getJMSMessageID(), origin, attempt - 1, maxDeliveryAttempts);
            return;
        }
        String id = m.getJMSMessageID();
        Map<String, Object> properties = new LinkedHashMap<>();
        Enumeration<?> names = m.getPropertyNames();
        while (names.hasMoreElements()) {
            String name = (String) names.nextElement();
            if (!name.startsWith("JMSX")) {
                properties.put(name, m.getObjectProperty(name));
            }
        }
        m.clearProperties();
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            m.setObjectProperty(e.getKey(), e.getValue());
        }
        m.setStringProperty(ORIGIN_PROPERTY, String.valueOf(origin));
        m.setIntProperty(ATTEMPTS_PROPERTY, attempt - 1);
        if (producer == null) {
            producer = session.createProducer(queue);
        }
        producer.send(m, m.getJMSDeliveryMode(), m.getJMSPriority(), 0);
        log.warn("Message {} from {} moved to dead-letter queue {} after {} failed deliveries",
                id, origin, queue.getQueueName(), attempt - 1);
    }

    /** The session closed: its producer with it. */
    void forget() {
        producer = null;
    }
}
