package io.weir.jms.it;

import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TransactionRolledBackException;

import java.io.PrintStream;

/**
 * The child JVM of the transaction crash test: consume-transform-produce from queue A to queue B in a transacted
 * session (Kafka transactions), committing every k messages, until the test kills it with SIGKILL. Reports
 * {@code READY}, then {@code COMMIT c} before and {@code COMMITTED c} after each commit, {@code ROLLEDBACK} when a
 * commit rolled back.
 * <p>Arguments: bootstrap servers, queue A, queue B, transactional id prefix, commit every k messages, and the queue
 * mode (CLASSIC when absent: positions in the transaction; SHARE: share acknowledgements in the transaction, Weir).
 */
public final class TransactedRelay {

    private TransactedRelay() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String from = args[1];
        String to = args[2];
        String prefix = args[3];
        int commitEvery = Integer.parseInt(args[4]);
        io.weir.jms.QueueMode mode = args.length > 5 ? io.weir.jms.QueueMode.valueOf(args[5]) : io.weir.jms.QueueMode.CLASSIC;
        PrintStream out = System.out;
        WeirConnectionFactory f = new WeirConnectionFactory(bootstrap);
        f.setConnectTimeoutMs(ChildJvm.CONNECT_TIMEOUT_MS);
        f.setTransactionalIdPrefix(prefix); // a restart takes over (fences) the killed run's transactional id
        f.setQueueMode(mode); // exactly-once consumption: positions, or share acknowledgements, in the transaction
        // every kill counts a delivery of what the relay held (a crashed consumer may have seen it): no dead-lettering here
        f.setMaxDeliveryAttempts(0);
        f.setKafkaProperty("session.timeout.ms", "2000");
        f.setKafkaProperty("heartbeat.interval.ms", "300");
        try (Connection c = f.createConnection()) {
            Session s = c.createSession(Session.SESSION_TRANSACTED);
            MessageConsumer consumer = s.createConsumer(s.createQueue(from));
            MessageProducer producer = s.createProducer(s.createQueue(to));
            c.start();
            out.println("READY");
            out.flush();
            int inTransaction = 0;
            long commits = 0;
            while (true) {
                Message m = consumer.receive(200);
                if (m != null) {
                    int n = m.getIntProperty("n");
                    TextMessage copy = s.createTextMessage("relayed " + n);
                    copy.setIntProperty("n", n);
                    producer.send(copy);
                    inTransaction++;
                }
                if (inTransaction >= commitEvery || (m == null && inTransaction > 0)) {
                    try {
                        out.println("COMMIT " + (commits + 1));
                        out.flush();
                        s.commit();
                        out.println("COMMITTED " + ++commits);
                    } catch (TransactionRolledBackException e) {
                        out.println("ROLLEDBACK " + e.getMessage());
                    }
                    out.flush();
                    inTransaction = 0;
                }
            }
        } catch (Exception e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
    }
}
