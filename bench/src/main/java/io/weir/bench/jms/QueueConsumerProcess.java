package io.weir.bench.jms;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * One consumer process of the multi-process queue workload ({@link JmsWorkloads#queueProcesses}):
 * {@code QueueConsumerProcess <provider> <url> <queue> <size> <idleMs>}. Creates one AUTO_ACKNOWLEDGE consumer of
 * the queue, prints {@code READY}, waits for a line {@code GO} on stdin, then receives until no message came for
 * {@code idleMs} and prints {@code DONE <count> <first receive, epoch ms> <last receive, epoch ms>} (epoch
 * milliseconds: the processes run on one machine, so their clocks agree). Exits 1 on a failure.
 */
public final class QueueConsumerProcess {

    private QueueConsumerProcess() {
    }

    public static void main(String[] args) throws Exception {
        ConnectionFactory factory = JmsClientMain.factory(args[0], args[1], 1);
        String queue = args[2];
        int size = Integer.parseInt(args[3]);
        long idleMs = Long.parseLong(args[4]);
        try (Connection c = factory.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("GO")) {
                // wait for the start
            }
            c.start();
            long count = 0;
            long first = 0;
            long last = 0;
            Message m;
            while ((m = consumer.receive(count == 0 ? Math.max(idleMs, 30_000) : idleMs)) != null) {
                if (!(m instanceof BytesMessage b) || b.getBodyLength() != size) {
                    throw new IllegalStateException("unexpected message " + m);
                }
                last = System.currentTimeMillis();
                if (count++ == 0) {
                    first = last;
                }
            }
            System.out.println("DONE " + count + " " + first + " " + last);
            System.out.flush();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
