package io.weir.jms.it;

/**
 * What the provider's clients run in a child JVM by the crash and kill tests ({@link XaPreparer},
 * {@link XaNarayanaCrash}, {@link TransactedRelay}, {@link QueueCrashConsumer}) have in common: a fresh JVM on a
 * loaded machine (the parallel build's) can take well over the default 15 s to get its first answer from the
 * brokers, so its factories wait this long ({@code connectTimeoutMs}); so does {@link XaIT}'s own factory, whose
 * connections are made while a broker is down.
 */
final class ChildJvm {

    /** The connect wait of the child JVMs' factories (the tests around them wait longer for their "ready" lines). */
    static final long CONNECT_TIMEOUT_MS = 60_000;

    private ChildJvm() {
    }
}
