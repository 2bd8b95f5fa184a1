package io.weir.ra.it.payara.app;

/**
 * The JNDI names under which Payara binds the adapter's factory and admin objects ({@code payara/*.asadmin}). Payara
 * refuses a resource name with a colon, so they cannot be WildFly's {@code java:/jms/weir/...}; the application's
 * descriptors ({@code payara/ejb-jar.xml}) point the shared beans' references at these.
 */
public final class PayaraNames {

    public static final String PREFIX = "jms/weir/";
    public static final String CONNECTION_FACTORY = "jms/weir/ConnectionFactory";
    public static final String IN_QUEUE = "jms/weir/queue/in";
    public static final String PLAIN_QUEUE = "jms/weir/queue/plain";
    public static final String NEWS_TOPIC = "jms/weir/topic/news";

    private PayaraNames() {
    }
}
