package io.weir.bench.jms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/**
 * An ActiveMQ Artemis server for the JMS side-by-side benchmark, in its own JVM:
 * {@code java -cp bench/target/classes:<artemis-peer classpath> io.weir.bench.jms.ArtemisServerMain <data dir> <port>}.
 *
 * <p>Persistence on, the journal, bindings, paging and large-message directories under the given
 * (fresh) directory, security off, one acceptor on {@code tcp://127.0.0.1:<port>}. Everything else keeps
 * Artemis' defaults: durable sends and acknowledgements are fsynced by the journal before they are
 * answered ({@code journal-sync-non-transactional=true}), queues and addresses are auto-created. The
 * journal type is Artemis' default (ASYNCIO where libaio loads, else NIO); the line printed at startup
 * says which one runs. Prints {@code ARTEMIS READY port=...} once the acceptor listens, then runs until
 * the process is killed.
 */
public final class ArtemisServerMain {

    private ArtemisServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ArtemisServerMain <data dir> <port>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Files.createDirectories(dir);
        Configuration config = new ConfigurationImpl()
                .setName("bench-artemis")
                .setPersistenceEnabled(true)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
        EmbeddedActiveMQ server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
        Configuration running = server.getActiveMQServer().getConfiguration();
        System.out.println("ARTEMIS READY port=" + port + " journalType=" + running.getJournalType()
                + " journalSyncNonTransactional=" + running.isJournalSyncNonTransactional()
                + " journalBufferTimeoutNs=" + running.getJournalBufferTimeout_NIO() + "/" + running.getJournalBufferTimeout_AIO());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
