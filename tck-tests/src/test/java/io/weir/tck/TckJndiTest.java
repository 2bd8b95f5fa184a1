package io.weir.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TckJndiTest {
    @Test
    void weirEntriesBindEveryNameTheTckLooksUp() {
        Map<String, String> e = TckJndi.entries(WeirTckBroker.syntax("127.0.0.1:9092"));

        assertThat(e).containsEntry("java.naming.factory.initial", "io.weir.jms.jndi.WeirInitialContextFactory")
                .containsEntry("connectionFactory.MyConnectionFactory", "127.0.0.1:9092")
                .containsEntry("connectionFactory.MyQueueConnectionFactory", "127.0.0.1:9092")
                .containsEntry("connectionFactory.MyTopicConnectionFactory", "127.0.0.1:9092")
                .containsEntry("connectionFactory.DURABLE_SUB_CONNECTION_FACTORY", "127.0.0.1:9092?clientId=cts");
        for (String q : new String[] {"MY_QUEUE", "MY_QUEUE2", "testQ0", "testQ1", "testQ2", "testQueue2", "Q2"}) {
            assertThat(e).containsEntry("queue." + q, q);
        }
        for (String t : new String[] {"MY_TOPIC", "MY_TOPIC2", "testT0", "testT1", "testT2"}) {
            assertThat(e).containsEntry("topic." + t, t);
        }
        assertThat(e).hasSize(1 + 4 + 7 + 5);
    }

    @Test
    void writtenFileReadsBackAsTheSameProperties(@TempDir Path dir) throws Exception {
        Map<String, String> e = TckJndi.entries(WeirTckBroker.syntax("127.0.0.1:1,127.0.0.1:2"));

        Path file = TckJndi.write(dir.resolve("sub"), e);

        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        assertThat(p).containsExactlyInAnyOrderEntriesOf(e);
    }
}
