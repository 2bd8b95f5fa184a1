package io.weir.samples.orders;

import io.weir.samples.SampleBroker;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.Message;
import jakarta.jms.Queue;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An order queue: a producer places orders, a pool of workers competes for them, each in CLIENT_ACKNOWLEDGE mode.
 * One order fails on its first delivery (a payment service glitch); the worker calls {@code recover()}, the order
 * comes back with JMSRedelivered set, and the second attempt succeeds. Everything is found through JNDI
 * ({@code jndi.properties}).
 */
public final class OrdersApp {

    /** What happened to the orders of one run. */
    public record Outcome(Map<String, String> workerByOrder, List<String> retried) {
    }

    public static void main(String[] args) throws Exception {
        try (SampleBroker broker = SampleBroker.find()) {
            Outcome outcome = run(broker.bootstrapServers(), 12, 3);
            outcome.workerByOrder().forEach((order, worker) -> System.out.println(order + " processed by " + worker));
            System.out.println("retried after a failed first attempt: " + outcome.retried());
        }
    }

    public static Outcome run(String bootstrapServers, int orders, int workers) throws NamingException, InterruptedException {
        System.setProperty("weir.samples.bootstrap", bootstrapServers);
        InitialContext jndi = new InitialContext();
        ConnectionFactory factory = (ConnectionFactory) jndi.lookup("Orders");
        Queue queue = (Queue) jndi.lookup("OrderQueue");

        String run = UUID.randomUUID().toString().substring(0, 8); // a shared broker may hold orders of earlier runs
        String flaky = run + "-order-" + (orders / 2);
        Map<String, String> workerByOrder = new ConcurrentHashMap<>();
        List<String> retried = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(orders);
        List<Thread> pool = new ArrayList<>();
        for (int w = 1; w <= workers; w++) {
            String name = "worker-" + w;
            Thread t = new Thread(() -> work(factory, queue, name, run, flaky, workerByOrder, retried, done), name);
            t.start();
            pool.add(t);
        }

        try (JMSContext context = factory.createContext()) {
            JMSProducer producer = context.createProducer();
            for (int i = 0; i < orders; i++) {
                producer.setProperty("customer", "c" + (i % 4)).send(queue, run + "-order-" + i);
            }
        }
        boolean all = done.await(2, TimeUnit.MINUTES);
        pool.forEach(Thread::interrupt);
        for (Thread t : pool) {
            t.join(60_000);
        }
        if (!all) {
            throw new IllegalStateException("only " + workerByOrder.size() + " of " + orders + " orders were processed");
        }
        return new Outcome(new java.util.TreeMap<>(workerByOrder), retried);
    }

    private static void work(ConnectionFactory factory, Queue queue, String name, String run, String flaky,
                             Map<String, String> workerByOrder, List<String> retried, CountDownLatch done) {
        try (JMSContext context = factory.createContext(JMSContext.CLIENT_ACKNOWLEDGE);
             JMSConsumer consumer = context.createConsumer(queue)) {
            while (!Thread.currentThread().isInterrupted() && done.getCount() > 0) {
                Message m = consumer.receive(500);
                if (m == null) {
                    continue;
                }
                String order = m.getBody(String.class);
                if (order.equals(flaky) && !m.getJMSRedelivered()) {
                    System.out.println(name + ": payment failed for " + order + ", will retry");
                    context.recover(); // the unacknowledged order is delivered again
                    continue;
                }
                if (order.startsWith(run) && workerByOrder.putIfAbsent(order, name) == null) {
                    if (order.equals(flaky)) { // its second attempt: JMSRedelivered is set
                        System.out.println(name + ": " + order + " succeeded on redelivery (JMSRedelivered="
                                + m.getJMSRedelivered() + ")");
                        retried.add(order);
                    }
                    done.countDown();
                }
                m.acknowledge();
            }
        } catch (JMSException | RuntimeException e) {
            if (!Thread.currentThread().isInterrupted()) {
                System.out.println(name + " stopped: " + e);
            }
        }
    }

    private OrdersApp() {
    }
}
