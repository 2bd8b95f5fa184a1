package io.weir.broker.auth;

import java.util.Map;

/**
 * Where users' configuration (their SCRAM credentials among it) is kept, implemented by the {@code zk}
 * layer. Thread-safe.
 */
public interface UserConfigStorage extends AutoCloseable {

    /** A user's config and the version it was read at (-1: none stored). */
    record UserConfig(Map<String, String> config, int version) {
    }

    /** A change heard: the user's whole config (empty when deleted) and the position of the write that made it. */
    interface Listener {
        void changed(String user, Map<String, String> config, long position);
    }

    /** Starts watching: one call per stored user, then one per change, possibly late (the position orders them). */
    void start(Listener listener);

    UserConfig read(String user);

    /**
     * Replaces a user's config, conditional on {@code version} (-1: create).
     *
     * @return the position of the write, or -1 when the config changed meanwhile (re-read and retry)
     */
    long write(String user, Map<String, String> config, int version);

    @Override
    void close();
}
