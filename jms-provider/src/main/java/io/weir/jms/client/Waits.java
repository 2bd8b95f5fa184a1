package io.weir.jms.client;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Bounded waits on the provider's futures, with what they throw made unchecked (Kafka's exception types). */
public final class Waits {

    private Waits() {
    }

    /**
     * The value of {@code f} within {@code timeoutMs}: its failure's cause rethrown (a checked one wrapped in a
     * {@link org.apache.kafka.common.KafkaException}), an interrupt as {@link org.apache.kafka.common.errors.InterruptException}
     * (the flag set again), no answer in time as {@link org.apache.kafka.common.errors.TimeoutException} naming {@code who}.
     */
    public static <T> T await(Future<T> f, long timeoutMs, String who) {
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new org.apache.kafka.common.KafkaException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new org.apache.kafka.common.errors.TimeoutException(who + " did not answer within " + timeoutMs + " ms", e);
        }
    }
}
