package io.weir.jms.it;

import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The consumer JVM of the crash test: consumes a queue in the given acknowledge mode and reports on stdout what it
 * was handed ({@code GOT n}) and, under CLIENT_ACKNOWLEDGE, what {@code acknowledge()} returned for
 * ({@code ACKED n n n}), until the test kills it with SIGKILL.
 * <p>Arguments: bootstrap servers, queue name, acknowledge mode (a {@code Session} constant), ack every k messages.
 */
public final class CrashConsumer {

    private CrashConsumer() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String queue = args[1];
        int mode = Integer.parseInt(args[2]);
        int ackEvery = Integer.parseInt(args[3]);
        PrintStream out = System.out;
        WeirConnectionFactory f = new WeirConnectionFactory(bootstrap);
        f.setKafkaProperty("session.timeout.ms", "2000");
        f.setKafkaProperty("heartbeat.interval.ms", "300");
        Connection c = f.createConnection();
        Session s = c.createSession(mode);
        MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
        c.start();
        out.println("READY");
        out.flush();
        List<Integer> unacked = new ArrayList<>();
        while (true) {
            Message m = consumer.receive(1000);
            if (m == null) {
                continue;
            }
            int n = m.getIntProperty("n");
            out.println("GOT " + n);
            out.flush();
            if (mode == Session.CLIENT_ACKNOWLEDGE) {
                unacked.add(n);
                if (unacked.size() >= ackEvery) {
                    m.acknowledge();
                    StringBuilder line = new StringBuilder("ACKED");
                    unacked.forEach(i -> line.append(' ').append(i));
                    out.println(line);
                    out.flush();
                    unacked.clear();
                }
            }
            Thread.sleep(3);
        }
    }
}
