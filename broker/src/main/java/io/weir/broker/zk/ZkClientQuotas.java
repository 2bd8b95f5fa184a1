package io.weir.broker.zk;

import io.weir.broker.quota.ClientQuotaStorage;
import io.weir.broker.quota.QuotaEntity;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Client quotas in ZooKeeper, in the layout of Kafka's ZooKeeper mode:
 * <pre>
 * /config/users/&lt;user&gt;                      {"version":1,"config":{"producer_byte_rate":"1024",…}}
 * /config/users/&lt;user&gt;/clients/&lt;client-id&gt;
 * /config/clients/&lt;client-id&gt;
 * </pre>
 * Names are URL-encoded ({@code *} as {@code %2A}); the default entity is the literal {@code <default>}.
 * A user's znode is shared with its SCRAM credentials ({@link ZkUserCredentials}): both read, change
 * their own keys and write conditionally on the version. Curator caches watch both trees, so every
 * broker hears of changes made through any of them.
 *
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close}.
 */
public final class ZkClientQuotas implements ClientQuotaStorage {
    static final String CLIENT_CONFIGS = "/config/clients";

    private final ZkStore zk;
    private final List<CuratorCache> caches = new java.util.ArrayList<>();

    public ZkClientQuotas(ZkStore zk) {
        this.zk = zk;
    }

    @Override
    public synchronized void start(Listener listener) {
        for (String root : List.of(ZkUserCredentials.USER_CONFIGS, CLIENT_CONFIGS)) {
            CuratorCache cache = CuratorCache.build(zk.curator(), root);
            java.util.function.Consumer<ChildData> changed = d -> {
                QuotaEntity entity = entityOf(d.getPath());
                if (entity != null) {
                    listener.changed(entity, d.getData() == null || d.getData().length == 0 ? Map.of()
                            : ZkStore.parseConfigOverrides(d.getData()), d.getStat() == null ? 0 : d.getStat().getMzxid());
                }
            };
            cache.listenable().addListener(CuratorCacheListener.builder()
                    .forCreates(changed)
                    .forChanges((before, after) -> changed.accept(after))
                    .forDeletes(d -> {
                        QuotaEntity entity = entityOf(d.getPath());
                        if (entity != null) {
                            listener.changed(entity, Map.of(), d.getStat() == null ? 0 : d.getStat().getMzxid());
                        }
                    })
                    .build());
            caches.add(cache);
            cache.start();
        }
    }

    /** The entity a config znode belongs to, or null for other znodes (the roots, {@code …/clients}). */
    static QuotaEntity entityOf(String path) {
        String[] users = below(path, ZkUserCredentials.USER_CONFIGS);
        if (users != null) {
            if (users.length == 1) {
                return QuotaEntity.user(name(users[0]));
            }
            return users.length == 3 && users[1].equals("clients") ? new QuotaEntity(name(users[0]), name(users[2])) : null;
        }
        String[] clients = below(path, CLIENT_CONFIGS);
        return clients != null && clients.length == 1 ? QuotaEntity.client(name(clients[0])) : null;
    }

    private static String[] below(String path, String root) {
        if (!path.startsWith(root + "/")) {
            return null;
        }
        String rest = path.substring(root.length() + 1);
        return rest.isEmpty() ? null : rest.split("/");
    }

    static String pathOf(QuotaEntity entity) {
        if (entity.user() == null) {
            return CLIENT_CONFIGS + "/" + segment(entity.clientId());
        }
        String user = ZkUserCredentials.USER_CONFIGS + "/" + segment(entity.user());
        return entity.clientId() == null ? user : user + "/clients/" + segment(entity.clientId());
    }

    private static String segment(String name) {
        return name.equals(QuotaEntity.DEFAULT) ? name : ZkUserCredentials.sanitize(name);
    }

    private static String name(String segment) {
        return segment.equals(QuotaEntity.DEFAULT) ? segment : ZkUserCredentials.desanitize(segment);
    }

    @Override
    public Stored read(QuotaEntity entity) {
        Stat stat = new Stat();
        try {
            byte[] data = zk.curator().getData().storingStatIn(stat).forPath(pathOf(entity));
            return new Stored(data == null || data.length == 0 ? Map.of() : ZkStore.parseConfigOverrides(data), stat.getVersion());
        } catch (KeeperException.NoNodeException e) {
            return new Stored(Map.of(), -1);
        } catch (Exception e) {
            throw new ZkException("Cannot read the quotas of " + entity + ": " + e, e);
        }
    }

    @Override
    public long write(QuotaEntity entity, Map<String, String> config, int version) {
        String path = pathOf(entity);
        Map<String, Object> doc = new java.util.LinkedHashMap<>(); // Kafka's layout, in Kafka's order
        doc.put("version", 1);
        doc.put("config", new java.util.TreeMap<>(config));
        byte[] json = ZkStore.toJson(doc);
        try {
            Stat stat = new Stat();
            if (version < 0) {
                // persistent parents: a container parent would vanish with its last child, and a user's quotas with it
                zk.curator().create().storingStatIn(stat).creatingParentsIfNeeded().forPath(path, json);
            } else {
                stat = zk.curator().setData().withVersion(version).forPath(path, json);
            }
            return stat.getMzxid();
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException | KeeperException.NoNodeException e) {
            return -1;
        } catch (Exception e) {
            throw new ZkException("Cannot write the quotas of " + entity + ": " + e, e);
        }
    }

    @Override
    public synchronized void close() {
        caches.forEach(CuratorCache::close);
        caches.clear();
    }
}
