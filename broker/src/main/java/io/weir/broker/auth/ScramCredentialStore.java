package io.weir.broker.auth;

import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramCredentialUtils;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SCRAM credentials of every user: stored in ZooKeeper ({@code /config/users}, Kafka's format) and
 * cached in memory, so that authentication on an event loop never waits for ZooKeeper. Writes go to
 * ZooKeeper first (conditional on the version read, retried on a race) and reach every broker's cache
 * through its watch.
 *
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close}.
 */
public final class ScramCredentialStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScramCredentialStore.class);
    private static final int MAX_RETRIES = 10;

    private final UserConfigStorage zk;
    private record Entry(Map<ScramMechanism, ScramCredential> credentials, long zxid) {
    }

    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    /** @param storage where credentials are kept (ZooKeeper, {@code /config/users}); closed with this store */
    public ScramCredentialStore(UserConfigStorage storage) {
        this.zk = storage;
    }

    public void start() {
        zk.start(this::reload);
    }

    private void reload(String user, Map<String, String> config, long zxid) {
        Map<ScramMechanism, ScramCredential> credentials = new HashMap<>();
        config.forEach((key, value) -> {
            ScramMechanism m = ScramMechanism.forMechanismName(key);
            if (m != null) {
                try {
                    credentials.put(m, ScramCredentialUtils.credentialFromString(value));
                } catch (RuntimeException e) {
                    log.warn("Ignoring the malformed {} credential of user {} in ZooKeeper: {}", key, user, e.toString());
                }
            }
        });
        // the watch may deliver a write after this broker's own later write was applied: keep the newest
        cache.compute(user, (u, old) -> old != null && old.zxid() > zxid ? old : new Entry(Map.copyOf(credentials), zxid));
    }

    /** The credential of {@code user} for {@code mechanism}, or null. */
    public ScramCredential credential(String user, ScramMechanism mechanism) {
        Entry e = cache.get(user);
        return e == null ? null : e.credentials().get(mechanism);
    }

    /** Users with at least one SCRAM credential, each with its mechanisms and iterations. */
    public Map<String, Map<ScramMechanism, Integer>> describe() {
        Map<String, Map<ScramMechanism, Integer>> out = new TreeMap<>();
        cache.forEach((user, e) -> {
            if (!e.credentials().isEmpty()) {
                Map<ScramMechanism, Integer> m = new TreeMap<>();
                e.credentials().forEach((mech, c) -> m.put(mech, c.iterations()));
                out.put(user, m);
            }
        });
        return out;
    }

    /** The mechanisms and iterations of one user as ZooKeeper has them now (empty: none). */
    public Map<ScramMechanism, Integer> describe(String user) {
        Map<ScramMechanism, Integer> m = new TreeMap<>();
        zk.read(user).config().forEach((key, value) -> {
            ScramMechanism mech = ScramMechanism.forMechanismName(key);
            if (mech != null) {
                m.put(mech, ScramCredentialUtils.credentialFromString(value).iterations());
            }
        });
        return m;
    }

    /** Sets the credential of {@code user} from the salted password the client computed (AlterUserScramCredentials). */
    public void upsert(String user, ScramMechanism mechanism, byte[] salt, byte[] saltedPassword, int iterations) {
        ScramCredential credential = formatter(mechanism).generateCredential(salt, saltedPassword, iterations);
        update(user, mechanism.mechanismName(), ScramCredentialUtils.credentialToString(credential));
    }

    /** Sets the credential of {@code user} from a clear password (initial users from the configuration). */
    public void upsertPassword(String user, ScramMechanism mechanism, String password, int iterations) {
        ScramCredential credential = formatter(mechanism).generateCredential(password, iterations);
        update(user, mechanism.mechanismName(), ScramCredentialUtils.credentialToString(credential));
    }

    /**
     * Removes the credential of {@code user} for {@code mechanism}.
     *
     * @return false when there was none
     */
    public boolean delete(String user, ScramMechanism mechanism) {
        if (!zk.read(user).config().containsKey(mechanism.mechanismName())) {
            return false;
        }
        update(user, mechanism.mechanismName(), null);
        return true;
    }

    private void update(String user, String key, String value) {
        for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
            UserConfigStorage.UserConfig current = zk.read(user);
            Map<String, String> config = new HashMap<>(current.config());
            if (value == null) {
                config.remove(key);
            } else {
                config.put(key, value);
            }
            long zxid = zk.write(user, config, current.version());
            if (zxid >= 0) {
                reload(user, config, zxid); // at once here; other brokers hear it through their watch
                return;
            }
        }
        throw new IllegalStateException("The configuration of user " + user + " kept changing; gave up after " + MAX_RETRIES
                + " attempts");
    }

    private static ScramFormatter formatter(ScramMechanism mechanism) {
        try {
            return new ScramFormatter(mechanism);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM lacks " + mechanism.hashAlgorithm(), e);
        }
    }

    @Override
    public void close() {
        zk.close();
    }
}
