package io.weir.ra.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.weir.ra.it.support.BrokerClient;
import io.weir.ra.it.support.Destinations;
import io.weir.ra.it.support.Http;
import io.weir.ra.it.support.WeirAdapterSetup;
import io.weir.ra.it.support.WeirBroker;
import java.io.File;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The samples' Jakarta EE application ({@code samples/wildfly}), deployed as its README tells a user: the WAR that
 * module builds, unchanged, its queue from the sample's own {@code shop.cli} (run by {@link WeirAdapterSetup}), and
 * driven over HTTP like the README's {@code curl} lines. Orders placed in committed transactions reach the MDB once
 * each; orders whose transaction rolled back never reach it, nor the broker.
 */
@ExtendWith({WeirBroker.class, ArquillianExtension.class})
@ServerSetup(WeirAdapterSetup.class)
@RunAsClient
class SampleWildflyIT {

    @Deployment(testable = false)
    static WebArchive sample() {
        File war = new File(System.getProperty("weir.it.sample.war", "target/weir-sample-wildfly.war"));
        if (!war.isFile()) {
            throw new IllegalStateException("The sample's WAR is missing (built by samples/wildfly): " + war);
        }
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    @ArquillianResource
    private URL base;

    private final BrokerClient broker = new BrokerClient(WeirBroker.bootstrapServers());

    @Test
    void committedOrdersReachTheMdbOnceAndRolledBackOnesNever() throws Exception {
        broker.awaitQueueConsumers(Destinations.SAMPLE_ORDERS, 1);
        List<String> committed = new ArrayList<>();
        List<String> rolledBack = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            assertThat(order("book-" + i, false)).isEqualTo("placed: book-" + i);
            committed.add("book-" + i);
            assertThat(order("pen-" + i, true)).isEqualTo("rolled back: pen-" + i);
            rolledBack.add("pen-" + i);
        }
        // the last order: once every committed one arrived, a rolled-back one that had been written could have too
        assertThat(order("lamp", false)).isEqualTo("placed: lamp");
        committed.add("lamp");

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> received().containsAll(committed));
        Thread.sleep(2_000); // a duplicate would come right after
        List<String> received = received();
        // each once; in any order: the MDB's sessions (maxSession 15) are as many share-group members, and a queue's
        // order holds per member fetch, not across them (jms-provider/README.md, share mode)
        assertThat(received).as("what the MDB received").containsExactlyInAnyOrderElementsOf(committed);
        assertThat(broker.values(Destinations.SAMPLE_ORDERS)).as("the committed records of the queue's topic")
                .containsExactlyElementsOf(committed)
                .doesNotContainAnyElementsOf(rolledBack);
    }

    @Test
    void anOrderWithoutAnItemIsRefused() {
        assertThat(catchThrowable(() -> Http.post(base, "orders", List.of())))
                .hasMessageContaining("HTTP 400");
    }

    private String order(String item, boolean fail) throws Exception {
        return Http.post(base, "orders", List.of(Map.entry("item", item), Map.entry("fail", Boolean.toString(fail))))
                .strip();
    }

    private List<String> received() throws Exception {
        String body = Http.get(base, "orders").strip();
        return body.isEmpty() ? List.of() : Arrays.asList(body.split("\\R"));
    }
}
