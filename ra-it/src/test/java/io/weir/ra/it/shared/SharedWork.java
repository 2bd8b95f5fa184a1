package io.weir.ra.it.shared;

import io.weir.ra.it.app.Forwarder;
import io.weir.ra.it.support.Destinations;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;

/** What both shared-queue MDBs do with a message: a little work, then a tagged forward. */
final class SharedWork {

    /** Per message, so that no consumer drains the queue before the others fetch. */
    static final long WORK_MS = 20;

    private SharedWork() {
    }

    static void forward(Forwarder forwarder, String tag, Message message) {
        try {
            Thread.sleep(WORK_MS);
            forwarder.forward(Destinations.OUT_SHARED, tag + "|" + ((TextMessage) message).getText());
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
