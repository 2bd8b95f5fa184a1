package io.weir.broker.zk;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Users' configuration in ZooKeeper as Kafka's ZooKeeper mode keeps it:
 * {@code /config/users/<url-encoded user>} = {@code {"version":1,"config":{"SCRAM-SHA-256":"salt=…,stored_key=…,
 * server_key=…,iterations=4096"}}}. A Curator cache watches the path, so every broker hears of changes
 * made through any of them.
 *
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close}.
 */
public final class ZkUserCredentials implements io.weir.broker.auth.UserConfigStorage {
    static final String USER_CONFIGS = "/config/users";

    private final ZkStore zk;
    private CuratorCache cache;

    public ZkUserCredentials(ZkStore zk) {
        this.zk = zk;
    }

    /**
     * Starts watching; {@code onChange} hears every creation and update (and a deletion as an empty
     * config), starting with one call per existing user. Calls may come late: the zxid orders them.
     */
    @Override
    public void start(Listener onChange) {
        cache = CuratorCache.build(zk.curator(), USER_CONFIGS);
        Consumer<ChildData> changed = d -> {
            String user = userOf(d.getPath());
            if (user != null) {
                onChange.changed(user, d.getData() == null || d.getData().length == 0 ? Map.of()
                        : ZkStore.parseConfigOverrides(d.getData()), d.getStat() == null ? 0 : d.getStat().getMzxid());
            }
        };
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(changed)
                .forChanges((before, after) -> changed.accept(after))
                .forDeletes(d -> {
                    String user = userOf(d.getPath());
                    if (user != null) {
                        onChange.changed(user, Map.of(), Long.MAX_VALUE);
                    }
                })
                .build());
        cache.start();
    }

    private static String userOf(String path) {
        if (!path.startsWith(USER_CONFIGS + "/")) {
            return null;
        }
        String rest = path.substring(USER_CONFIGS.length() + 1);
        return rest.isEmpty() || rest.contains("/") ? null : desanitize(rest);
    }

    /** A user's config and the version read (-1: no znode). */
    @Override
    public UserConfig read(String user) {
        Stat stat = new Stat();
        try {
            byte[] data = zk.curator().getData().storingStatIn(stat).forPath(USER_CONFIGS + "/" + sanitize(user));
            return new UserConfig(data == null || data.length == 0 ? Map.of() : ZkStore.parseConfigOverrides(data),
                    stat.getVersion());
        } catch (KeeperException.NoNodeException e) {
            return new UserConfig(Map.of(), -1);
        } catch (Exception e) {
            throw new ZkException("Cannot read the configuration of user " + user + ": " + e, e);
        }
    }

    /**
     * Replaces a user's config, conditional on {@code version} (-1: create).
     *
     * @return the zxid of the write, or -1 when the config changed meanwhile (re-read and retry)
     */
    @Override
    public long write(String user, Map<String, String> config, int version) {
        String path = USER_CONFIGS + "/" + sanitize(user);
        byte[] json = ZkStore.toJson(Map.of("version", 1, "config", new HashMap<>(config)));
        try {
            Stat stat = new Stat();
            if (version < 0) {
                zk.curator().create().storingStatIn(stat).creatingParentContainersIfNeeded().forPath(path, json);
            } else {
                stat = zk.curator().setData().withVersion(version).forPath(path, json);
            }
            return stat.getMzxid();
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException | KeeperException.NoNodeException e) {
            return -1;
        } catch (Exception e) {
            throw new ZkException("Cannot write the configuration of user " + user + ": " + e, e);
        }
    }

    /** Kafka's sanitization of entity names in znode paths: URL encoding, with {@code *} as {@code %2A}. */
    static String sanitize(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }

    static String desanitize(String name) {
        return URLDecoder.decode(name, StandardCharsets.UTF_8);
    }


    @Override
    public void close() {
        if (cache != null) {
            cache.close();
        }
    }
}
