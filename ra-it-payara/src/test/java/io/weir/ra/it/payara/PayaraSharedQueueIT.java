package io.weir.ra.it.payara;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.jms.WeirConnectionFactory;
import io.weir.ra.it.app.Forwarder;
import io.weir.ra.it.shared.SharedQueueMdbA;
import io.weir.ra.it.shared.SharedQueueMdbB;
import io.weir.ra.it.support.BrokerClient;
import io.weir.ra.it.support.Destinations;
import io.weir.ra.it.support.WeirBroker;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ra-it's {@code SharedQueueIT} in Payara: two MDBs of one deployment ({@code SharedQueueMdbA} and {@code B}: two
 * activations of the adapter, two sessions each, the queue by physical name) and a plain JMS consumer in this JVM
 * (another process, as another server would be) read the one-partition queue {@link Destinations#SHARED_QUEUE} in
 * share mode: each of the three gets messages, and together they get every message exactly once.
 */
@ExtendWith({WeirBroker.class, PayaraDomain.class, ArquillianExtension.class})
@RunAsClient
class PayaraSharedQueueIT {

    private static final int MESSAGES = 60;
    /** What this JVM's consumer spends per message, like the MDBs ({@code SharedWork.WORK_MS}). */
    private static final long WORK_MS = 20;
    private static final Duration ARRIVAL = Duration.ofMinutes(3);
    private static final Duration QUIET = Duration.ofSeconds(3);

    @Deployment(testable = false)
    static WebArchive app() {
        return ShrinkWrap.create(WebArchive.class, "weir-it-shared.war")
                .addClasses(Destinations.class, Forwarder.class, SharedQueueMdbA.class, SharedQueueMdbB.class)
                .addClass("io.weir.ra.it.shared.SharedWork")
                .addAsWebInfResource(PayaraDescriptors.forwarderOnPayaraFactory(), "ejb-jar.xml")
                .addAsWebInfResource(PayaraDescriptors.onWeirAdapter(SharedQueueMdbA.class, SharedQueueMdbB.class),
                        "glassfish-ejb-jar.xml");
    }

    private final BrokerClient broker = new BrokerClient(WeirBroker.bootstrapServers());

    @Test
    void twoMdbActivationsAndAnotherProcessShareAOnePartitionQueue() throws Exception {
        // the adapter reads queues through share groups: the two activations' four sessions are members
        broker.awaitQueueConsumers(Destinations.SHARED_QUEUE, 4);
        assertThat(broker.shareMembers(Destinations.SHARED_QUEUE)).as("members of the queue's share group")
                .isGreaterThanOrEqualTo(4);

        List<String> here = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection connection = new WeirConnectionFactory(WeirBroker.bootstrapServers()).createConnection()) {
            Session session = connection.createSession(Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(Destinations.SHARED_QUEUE));
            connection.start();
            Future<?> consuming = pool.submit(() -> {
                while (!stop.get()) {
                    TextMessage m = (TextMessage) consumer.receive(500);
                    if (m != null) {
                        here.add(m.getText());
                        Thread.sleep(WORK_MS);
                    }
                }
                return null;
            });

            List<String> sent = IntStream.rangeClosed(1, MESSAGES).mapToObj(i -> "shared-" + i).toList();
            broker.send(Destinations.SHARED_QUEUE, false, sent);
            // the forwards of the MDBs, until everything is accounted for, then a little longer to catch a duplicate
            List<String> forwarded = broker.receive(Destinations.OUT_SHARED, l -> l.size() + here.size() >= MESSAGES,
                    ARRIVAL, QUIET);
            stop.set(true);
            consuming.get(1, TimeUnit.MINUTES);

            List<String> a = untagged(forwarded, "A|");
            List<String> b = untagged(forwarded, "B|");
            assertThat(a.size() + b.size()).as("every forward is tagged A| or B|: %s", forwarded)
                    .isEqualTo(forwarded.size());
            System.out.printf("PayaraSharedQueueIT: %d messages: first MDB %d, second MDB %d, this JVM %d%n", MESSAGES,
                    a.size(), b.size(), here.size());
            List<String> all = new ArrayList<>(a);
            all.addAll(b);
            all.addAll(here);
            assertThat(all).as("every message exactly once").containsExactlyInAnyOrderElementsOf(sent);
            assertThat(a).as("delivered to the first MDB").isNotEmpty();
            assertThat(b).as("delivered to the second MDB").isNotEmpty();
            assertThat(here).as("received by the consumer in this JVM").isNotEmpty();
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    private static List<String> untagged(List<String> forwarded, String tag) {
        return forwarded.stream().filter(t -> t.startsWith(tag)).map(t -> t.substring(tag.length())).toList();
    }
}
