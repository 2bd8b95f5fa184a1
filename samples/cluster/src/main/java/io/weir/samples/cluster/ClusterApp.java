package io.weir.samples.cluster;

import io.weir.jms.QueueMode;
import io.weir.jms.WeirConnectionFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A three-broker Weir cluster loses the leader of a queue while a JMS producer and a JMS consumer run, and
 * nothing is lost or delivered twice.
 *
 * <ol>
 *   <li>Starts ZooKeeper and three brokers, each broker its own JVM ({@link BrokerProcesses}).</li>
 *   <li>Creates queue {@code payments} with the Admin client: one partition, {@code replication.factor=3},
 *       {@code min.insync.replicas=2}.</li>
 *   <li>A producer sends numbered PERSISTENT messages, each send synchronous; a consumer receives them in a
 *       CLIENT_ACKNOWLEDGE session ({@code blockOnAcknowledge=true}: {@code acknowledge()} returns once the
 *       broker has it) and acknowledges every ten.</li>
 *   <li>Halfway, the partition's leader (found with {@code describeTopics}) gets a {@code kill -9}.</li>
 *   <li>Prints what was sent, what arrived, what came twice and why, and how long the flow stopped.</li>
 * </ol>
 * The cluster is the sample's own, so {@code -Dweir.bootstrap} does not apply.
 */
public final class ClusterApp {

    static final String QUEUE = "payments";
    private static final int ACKNOWLEDGE_EVERY = 10;

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        QueueMode queueMode = args.length > 1 ? QueueMode.parse(args[1]) : QueueMode.DEFAULT;
        Progress progress = new Progress();
        progress.say("starting ZooKeeper and 3 Weir brokers, each broker a JVM of its own");
        boolean keep = Boolean.getBoolean("weir.samples.keep"); // -Dweir.samples.keep=true: keep data and broker output
        try (BrokerProcesses cluster = BrokerProcesses.start(3, Duration.ofMinutes(3), keep)) {
            progress.say("cluster up: " + cluster.bootstrapServers());
            FailoverReport report = run(cluster, messages, queueMode, Duration.ofMinutes(5), progress);
            System.out.println(report.describe());
            if (keep) {
                System.out.println("data and broker output (broker-<id>.log) kept in " + cluster.directory());
            }
        }
    }

    /**
     * Runs producer, consumer and the kill against {@code cluster}, the whole bounded by {@code timeout};
     * {@code queueMode} is how the consumer reads the queue (the provider's default, {@code auto}, is a share group on Weir).
     */
    public static FailoverReport run(BrokerProcesses cluster, int messages, QueueMode queueMode, Duration timeout,
                                     Progress progress) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            createQueue(admin, progress);

            WeirConnectionFactory factory = new WeirConnectionFactory(cluster.bootstrapServers());
            factory.setBlockOnAcknowledge(true);
            factory.setQueueMode(queueMode);
            FlowTimeline sends = new FlowTimeline();
            FlowTimeline receipts = new FlowTimeline();
            NumberedSender sender = new NumberedSender(factory, QUEUE, messages, sends, deadline, progress);
            CheckingReceiver receiver = new CheckingReceiver(factory, QUEUE, messages, ACKNOWLEDGE_EVERY, receipts, deadline,
                    progress);
            Thread consumerThread = new Thread(receiver, "consumer");
            Thread producerThread = new Thread(sender, "producer");
            consumerThread.setDaemon(true); // neither keeps the JVM alive after a failed run
            producerThread.setDaemon(true);
            consumerThread.start();
            if (!receiver.ready().await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the consumer did not start within " + timeout);
            }
            progress.say("consumer ready (CLIENT_ACKNOWLEDGE, acknowledging every " + ACKNOWLEDGE_EVERY + ", queueMode="
                    + queueMode.name().toLowerCase(java.util.Locale.ROOT) + "); producer starts sending " + messages + " PERSISTENT messages");
            producerThread.start();

            while (sender.sent() < messages / 2 && producerThread.isAlive()) {
                checkDeadline(deadline, "the producer sent " + sender.sent() + " of " + messages / 2);
                Thread.sleep(10);
            }
            Kill kill = killLeader(admin, cluster, sender, receiver, deadline, progress);

            producerThread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            progress.say("producer done: " + sender.sent() + " sent");
            consumerThread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + 5_000);
            progress.say("consumer done: " + receiver.received() + " received");
            if (producerThread.isAlive() || consumerThread.isAlive()) {
                producerThread.interrupt();
                consumerThread.interrupt();
                throw new IllegalStateException("the producer or the consumer was still running at the deadline");
            }
            DeliveryTally tally = receiver.tally();
            return new FailoverReport(messages, sender.sent(), sender.retries(), tally.distinctCount(), tally.missing(sender.sent()),
                    tally.redelivered(), tally.flaggedAtFirstDelivery(), tally.duplicatesOfAcknowledged(), tally.unflaggedDuplicates(),
                    tally.failedAcknowledgements(), kill.broker(), kill.newLeader(), kill.newLeaderMs(),
                    sends.longestGapAfterMs(kill.nanos()), receipts.longestGapAfterMs(kill.nanos()));
        }
    }

    /** The broker killed, when, and the leader that replaced it (-1 and -1 ms if none was seen). */
    private record Kill(int broker, long nanos, int newLeader, long newLeaderMs) {
    }

    /** SIGKILL to the queue's current leader; returns once the cluster has elected another one (or at the deadline). */
    private static Kill killLeader(Admin admin, BrokerProcesses cluster, NumberedSender sender, CheckingReceiver receiver,
                                   long deadline, Progress progress) throws Exception {
        int leader = leader(admin).id();
        int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        progress.say(String.format("sent %d, received %d: kill -9 broker %d (pid %d), the leader of %s-0%s", sender.sent(),
                receiver.received(), leader, cluster.pid(leader), QUEUE, leader == controller ? " and the controller" : ""));
        long killNanos = System.nanoTime();
        int status = cluster.kill(leader);
        progress.say("broker " + leader + " is gone (exit status " + status + ")");
        int newLeader = awaitNewLeader(admin, leader, deadline);
        long newLeaderMs = newLeader < 0 ? -1 : (System.nanoTime() - killNanos) / 1_000_000;
        progress.say(newLeader < 0 ? "no new leader seen" : "new leader: broker " + newLeader + " (" + newLeaderMs + " ms after the kill)");
        return new Kill(leader, killNanos, newLeader, newLeaderMs);
    }

    /** One partition on all three brokers; a write is acknowledged once two of them have it. */
    private static void createQueue(Admin admin, Progress progress) throws Exception {
        NewTopic topic = new NewTopic(QUEUE, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"));
        admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        // every broker learns of the new partition and its leader a moment later: wait until the one asked knows
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        TopicPartitionInfo p = partition(admin);
        while (p.leader() == null || p.leader().id() < 0 || p.isr().size() < 3) {
            checkDeadline(deadline, QUEUE + "-0 has a leader and three replicas in sync: " + p);
            Thread.sleep(50);
            p = partition(admin);
        }
        progress.say("queue " + QUEUE + ": leader broker " + p.leader().id() + ", replicas " + ids(p.replicas())
                + ", in sync " + ids(p.isr()) + ", min.insync.replicas=2");
    }

    private static Node leader(Admin admin) throws Exception {
        Node leader = partition(admin).leader();
        if (leader == null || leader.id() < 0) {
            throw new IllegalStateException(QUEUE + "-0 has no leader");
        }
        return leader;
    }

    /** The leader that replaced {@code killed}, or -1 if none was seen before the deadline. */
    private static int awaitNewLeader(Admin admin, int killed, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            try {
                Node leader = partition(admin).leader();
                if (leader != null && leader.id() >= 0 && leader.id() != killed) {
                    return leader.id();
                }
            } catch (ExecutionException | TimeoutException e) {
                // the metadata came from the dead broker's session or timed out: ask again
            }
            Thread.sleep(20);
        }
        return -1;
    }

    private static TopicPartitionInfo partition(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription d = admin.describeTopics(List.of(QUEUE)).allTopicNames().get(10, TimeUnit.SECONDS).get(QUEUE);
        return d.partitions().get(0);
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out: " + what);
        }
    }

    private ClusterApp() {
    }
}
