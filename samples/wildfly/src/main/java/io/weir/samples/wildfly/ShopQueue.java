package io.weir.samples.wildfly;

/**
 * The JNDI names the application uses. The server binds them (the adapter's {@code wildfly/weir-ra.cli} and this
 * sample's {@code src/main/wildfly/shop.cli}); the application only looks them up.
 */
final class ShopQueue {

    /** The resource adapter's pooled connection factory. */
    static final String CONNECTION_FACTORY = "java:/jms/weir/ConnectionFactory";
    /** The order queue: an admin object of the adapter (the Weir topic {@code shop.orders}). */
    static final String ORDERS = "java:/jms/weir/queue/shop-orders";

    private ShopQueue() {
    }
}
