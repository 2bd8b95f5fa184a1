package io.weir.ra.it.support;

/**
 * The destinations of the test application: physical names (Weir topics) and the JNDI names under which the
 * server binds the adapter's admin objects ({@code weir-it-destinations.cli}). Shared by the application (which
 * goes into the server) and the test client.
 */
public final class Destinations {

    /** The adapter's connection factory. */
    public static final String CONNECTION_FACTORY = "java:/jms/weir/ConnectionFactory";

    /** Read by {@code QueueMdb}. */
    public static final String IN_QUEUE = "it.in";
    public static final String IN_QUEUE_JNDI = "java:/jms/weir/queue/in";
    /** Read by nobody in the server: what the application sends there is checked by the test client. */
    public static final String PLAIN_QUEUE = "it.plain";
    public static final String PLAIN_QUEUE_JNDI = "java:/jms/weir/queue/plain";
    /** Read by {@code DurableTopicMdb} through a durable subscription. */
    public static final String NEWS_TOPIC = "it.news";
    public static final String NEWS_TOPIC_JNDI = "java:/jms/weir/topic/news";
    /** Read by {@code ParallelMdb} with maxSession {@link #PARALLEL_SESSIONS}. */
    public static final String PARALLEL_QUEUE = "it.parallel";
    public static final int PARALLEL_PARTITIONS = 4;
    public static final int PARALLEL_SESSIONS = 4;
    /** Read by the MDBs of the deployment that is undeployed and redeployed. */
    public static final String REDEPLOY_QUEUE = "it.redeploy.queue";
    public static final String REDEPLOY_TOPIC = "it.redeploy.topic";

    /** Read by two MDBs of one deployment ({@code SharedQueueIT}) and by the test client, competing: one partition. */
    public static final String SHARED_QUEUE = "it.shared";

    /** Read by {@code ClassicQueueMdb}, whose activation chooses the classic mapping (a consumer group). */
    public static final String CLASSIC_QUEUE = "it.classic";
    /** The resource manager name of {@code ClassicQueueMdb}'s deliveries (its own provider settings: its own id). */
    public static final String CLASSIC_XA_RESOURCE_ID = "weir-it-classic";

    /** The queue of the MDB throughput benchmark ({@code MdbThroughputBench}). */
    public static final String BENCH_QUEUE = "it.bench";
    public static final String BENCH_QUEUE_JNDI = "java:/jms/weir/queue/bench";
    public static final int BENCH_PARTITIONS = 4;

    /** Written by the transaction that {@code XaRecoveryIT} leaves in doubt; read by nobody in the server. */
    public static final String RECOVERY_QUEUE = "it.recovery";

    /** The order queue of the samples' Jakarta EE application (samples/wildfly, its {@code shop.cli}). */
    public static final String SAMPLE_ORDERS = "shop.orders";

    /** Where each MDB forwards what it received, in its own container transaction. */
    public static final String OUT_QUEUE = "it.out.queue";
    public static final String OUT_TOPIC_SUB = "it.out.news";
    public static final String OUT_PARALLEL = "it.out.parallel";
    public static final String OUT_REDEPLOY = "it.out.redeploy";
    public static final String OUT_SHARED = "it.out.shared";
    public static final String OUT_CLASSIC = "it.out.classic";

    /** The durable subscription of {@code DurableTopicMdb}: client id and subscription name. */
    public static final String NEWS_CLIENT_ID = "weir-it";
    public static final String NEWS_SUBSCRIPTION = "news-sub";
    /** The durable subscription of the redeployed topic MDB. */
    public static final String REDEPLOY_CLIENT_ID = "weir-it-redeploy";
    public static final String REDEPLOY_SUBSCRIPTION = "redeploy-sub";

    private Destinations() {
    }
}
