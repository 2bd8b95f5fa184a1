package io.weir.jms.it;

import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

/**
 * The consumer JVM that {@link JmsSuite}'s crash tests kill with SIGKILL. Usage:
 * {@code CrashConsumer <bootstrap> <queue> CLIENT|AUTO}. Prints {@code ACKED <n>} once {@code acknowledge()} has
 * returned for message {@code n} (CLIENT, every 5th message), or {@code GOT <n>} per message (AUTO); runs until
 * killed. AUTO consumes through a message listener.
 */
public final class CrashConsumer {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String queue = args[1];
        boolean client = args[2].equals("CLIENT");
        WeirConnectionFactory factory = new WeirConnectionFactory(bootstrap);
        factory.setKafkaProperty("session.timeout.ms", "2000"); // the group notices the kill sooner
        Connection c = factory.createConnection();
        Session s = c.createSession(client ? Session.CLIENT_ACKNOWLEDGE : Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
        if (!client) {
            // AUTO: the message counts as consumed once onMessage returns, so what is printed here was surely seen
            consumer.setMessageListener(m -> {
                try {
                    System.out.println("GOT " + ((TextMessage) m).getText().substring(1));
                    System.out.flush();
                    Thread.sleep(5);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            c.start();
            Thread.sleep(Long.MAX_VALUE);
        }
        c.start();
        int count = 0;
        while (true) {
            Message m = consumer.receive(1000);
            if (m == null) {
                continue;
            }
            String n = ((TextMessage) m).getText().substring(1);
            count++;
            if (count % 5 == 0) {
                m.acknowledge();
                System.out.println("ACKED " + n);
            }
            System.out.flush();
            Thread.sleep(5);
        }
    }
}
