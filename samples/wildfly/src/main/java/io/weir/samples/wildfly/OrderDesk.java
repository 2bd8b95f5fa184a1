package io.weir.samples.wildfly;

import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.Queue;

/**
 * Places an order on the queue inside a container transaction (a stateless bean's methods are
 * {@code REQUIRED}): the message is sent when, and only if, the transaction commits.
 */
@Stateless
public class OrderDesk {

    @Inject
    @JMSConnectionFactory(ShopQueue.CONNECTION_FACTORY)
    private JMSContext jms;
    @Resource(lookup = ShopQueue.ORDERS)
    private Queue orders;
    @Resource
    private SessionContext transaction;

    /**
     * Sends {@code item}; with {@code fail} the transaction is then rolled back (as when a later step of the same
     * transaction fails), so the order is never delivered.
     */
    public void place(String item, boolean fail) {
        jms.createProducer().send(orders, item);
        if (fail) {
            transaction.setRollbackOnly();
        }
    }
}
