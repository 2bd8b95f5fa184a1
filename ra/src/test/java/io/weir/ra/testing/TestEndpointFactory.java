package io.weir.ra.testing;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;

import javax.transaction.xa.XAResource;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A message-driven bean as the adapter sees it. Transacted, it plays the container: {@code beforeDelivery}
 * begins a {@link FakeTransactions} transaction, an exception from the bean marks it rollback-only,
 * {@code afterDelivery} completes it. It records every delivery and how many ran at once.
 */
public final class TestEndpointFactory implements MessageEndpointFactory {

    /** What the bean does with a message: return (success), throw, or mark the transaction rollback-only. */
    public interface Bean {
        void onMessage(Message m, FakeTransactions transactions) throws Exception;
    }

    /** One call of onMessage. */
    public record Delivery(String text, int deliveryCount, boolean redelivered, String thread, ClassLoader contextLoader) {
    }

    private final boolean transacted;
    private final FakeTransactions transactions;
    private volatile Bean bean;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> succeeded = new CopyOnWriteArrayList<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicInteger endpoints = new AtomicInteger();
    private final AtomicInteger released = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean componentStopped;

    public TestEndpointFactory(boolean transacted, FakeTransactions transactions, Bean bean) {
        this.transacted = transacted;
        this.transactions = transactions;
        this.bean = bean;
    }

    public void bean(Bean bean) {
        this.bean = bean;
    }

    /**
     * Plays a server that stopped the bean's component before deactivating its endpoint: from now on onMessage
     * throws before the bean (and before the container's transaction interceptor) is reached, so the transaction
     * that beforeDelivery began is not marked rollback-only and afterDelivery commits it (WildFly's
     * "WFLYEE0043: Component is stopped").
     */
    public void stopComponent() {
        componentStopped = true;
    }

    /** onMessage calls refused because the component was stopped. */
    public int refused() {
        return refused.get();
    }

    /** Every onMessage call, in order. */
    public List<Delivery> deliveries() {
        return deliveries;
    }

    /** Texts of the messages whose onMessage returned normally. */
    public List<String> succeeded() {
        return succeeded;
    }

    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    public int endpoints() {
        return endpoints.get();
    }

    public int released() {
        return released.get();
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xaResource) {
        endpoints.incrementAndGet();
        return new Endpoint();
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xaResource, long timeout) {
        return createEndpoint(xaResource);
    }

    @Override
    public boolean isDeliveryTransacted(Method method) {
        return transacted;
    }

    @Override
    public String getActivationName() {
        return "TestBean";
    }

    @Override
    public Class<?> getEndpointClass() {
        return Endpoint.class;
    }

    private static String text(Message m) {
        try {
            return m instanceof TextMessage t ? t.getText() : String.valueOf(m);
        } catch (JMSException e) {
            return "?";
        }
    }

    private static int count(Message m) {
        try {
            return m.getIntProperty("JMSXDeliveryCount");
        } catch (JMSException | RuntimeException e) {
            return -1;
        }
    }

    final class Endpoint implements MessageEndpoint, MessageListener {

        @Override
        public void beforeDelivery(Method method) {
            if (transactions != null) {
                transactions.begin();
            }
        }

        @Override
        public void onMessage(Message m) {
            if (componentStopped) {
                refused.incrementAndGet();
                throw new IllegalStateException("Component is stopped");
            }
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                boolean redelivered;
                try {
                    redelivered = m.getJMSRedelivered();
                } catch (JMSException e) {
                    redelivered = false;
                }
                deliveries.add(new Delivery(text(m), count(m), redelivered, Thread.currentThread().getName(),
                        Thread.currentThread().getContextClassLoader()));
                bean.onMessage(m, transactions);
                succeeded.add(text(m));
            } catch (RuntimeException e) {
                if (transactions != null && transactions.active()) {
                    transactions.setRollbackOnly();
                }
                throw e;
            } catch (Exception e) {
                if (transactions != null && transactions.active()) {
                    transactions.setRollbackOnly();
                }
                throw new IllegalStateException(e);
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public void afterDelivery() {
            if (transactions != null && transactions.active()) {
                transactions.complete(true);
            }
        }

        @Override
        public void release() {
            released.incrementAndGet();
        }
    }
}
