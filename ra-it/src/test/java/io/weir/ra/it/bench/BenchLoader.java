package io.weir.ra.it.bench;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Queue;

/**
 * Fills the benchmark queue: {@code count} persistent BytesMessages of {@code size} bytes in one container transaction.
 * The factory and queue are resource references that {@code web.xml} maps to one provider or the other.
 */
@Stateless
public class BenchLoader {

    @Resource(name = "jms/bench/cf")
    private ConnectionFactory factory;
    @Resource(name = "jms/bench/queue")
    private Queue queue;

    public void load(int count, int size) {
        byte[] body = new byte[size];
        try (JMSContext jms = factory.createContext()) {
            JMSProducer producer = jms.createProducer();
            for (int i = 0; i < count; i++) {
                producer.send(queue, body);
            }
        }
    }
}
