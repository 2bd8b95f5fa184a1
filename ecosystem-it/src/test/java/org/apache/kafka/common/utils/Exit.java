package org.apache.kafka.common.utils;

/**
 * Bridge for MirrorMaker 4.3.1 on kafka-clients 4.4.0, which moved this class to
 * {@code org.apache.kafka.common.utils.internals} (see {@link AppInfoParser} here for why the versions mix).
 * Forwards the two methods the 4.3.1 {@code MirrorMaker} driver calls. Remove with the plugins' upgrade.
 */
public final class Exit {
    private Exit() {
    }

    public static void exit(int statusCode) {
        org.apache.kafka.common.utils.internals.Exit.exit(statusCode);
    }

    public static void addShutdownHook(String name, Runnable runnable) {
        org.apache.kafka.common.utils.internals.Exit.addShutdownHook(name, runnable);
    }
}
