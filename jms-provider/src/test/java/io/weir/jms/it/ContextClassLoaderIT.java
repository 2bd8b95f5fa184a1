package io.weir.jms.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.server.EmbeddedWeirCluster;
import io.weir.jms.WeirConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Collections;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The provider works when the calling thread's context class loader cannot see kafka-clients, as in an application
 * server where an application uses the resource adapter's factory: connection, producer, browser, consumer and
 * durable subscription (client id) are all created under such a loader.
 */
class ContextClassLoaderIT {

    private static EmbeddedWeirCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedWeirCluster.builder().brokers(1).build().start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void everyClientIsCreatedWithAContextLoaderThatCannotSeeKafka() throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader blind = new URLClassLoader(new URL[0], null)) {
            assertThat(blind.getResource("org/apache/kafka/common/metrics/JmxReporter.class")).isNull();
            thread.setContextClassLoader(blind);
            try (Connection c = new WeirConnectionFactory(cluster.bootstrapServers()).createConnection()) {
                c.setClientID("context-loader");
                Session s = c.createSession(Session.AUTO_ACKNOWLEDGE);
                Queue q = s.createQueue("context-loader-q");
                s.createProducer(q).send(s.createTextMessage("seen"));
                try (QueueBrowser browser = s.createBrowser(q)) {
                    assertThat(Collections.list(browser.getEnumeration())).hasSize(1);
                }
                s.createDurableSubscriber(s.createTopic("context-loader-t"), "sub").close();
                MessageConsumer consumer = s.createConsumer(q);
                c.start();
                assertThat(((TextMessage) consumer.receive(30_000)).getText()).isEqualTo("seen");
                assertThat(thread.getContextClassLoader()).isSameAs(blind);
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
