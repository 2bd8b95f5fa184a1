package io.weir.broker.zk;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACLs in ZooKeeper, in the layout Kafka's ZooKeeper mode uses, and a watched copy of them.
 *
 * <pre>
 * /kafka-acl/&lt;ResourceType&gt;/&lt;name&gt;                    literal patterns (name {@code *}: the wildcard)
 * /kafka-acl-extended/prefixed/&lt;ResourceType&gt;/&lt;name&gt;   prefixed patterns
 *   data: {"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}
 * /kafka-acl-changes/acl_changes_&lt;seq&gt;                   "Topic:name" after a literal pattern changed
 * /kafka-acl-extended-changes/acl_changes_&lt;seq&gt;          {"version":1,"resourceType":…,"name":…,"patternType":"PREFIXED"}
 * </pre>
 *
 * ResourceType is Kafka's spelling ({@code Topic}, {@code Group}, {@code Cluster}, {@code TransactionalId},
 * {@code DelegationToken}, {@code User}); a {@code /} or {@code %} in a name is written {@code %2F}/{@code %25}
 * (names without them are stored as Kafka stores them). Every write is conditional on the znode
 * version read, retried on a conflict, so two brokers changing one pattern at once lose nothing.
 * Brokers learn changes from a Curator cache of both trees (every broker sees a change as soon as
 * its watch fires); the change notifications are written for tools that follow them and are removed
 * after {@link #NOTIFICATION_RETENTION_MS}.
 *
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close} once.
 */
public final class AclStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AclStore.class);
    static final String LITERAL_ROOT = "/kafka-acl";
    static final String EXTENDED_ROOT = "/kafka-acl-extended";
    static final String PREFIXED_ROOT = EXTENDED_ROOT + "/prefixed";
    static final String LITERAL_CHANGES = "/kafka-acl-changes";
    static final String EXTENDED_CHANGES = "/kafka-acl-extended-changes";
    static final String CHANGE_PREFIX = "acl_changes_";
    static final long NOTIFICATION_RETENTION_MS = 15 * 60 * 1000L;
    private static final int MAX_ATTEMPTS = 20;

    private final CuratorFramework curator;
    private final CuratorCache literalCache;
    private final CuratorCache prefixedCache;
    private final CountDownLatch initialized = new CountDownLatch(2);
    private final Consumer<List<AclBinding>> onChange;
    private final java.util.function.LongSupplier clock;

    /**
     * @param onChange receives every binding after the first load and after each change (on Curator's
     *                 event thread: it must be quick)
     * @param clock    wall-clock milliseconds, to age change notifications
     */
    public AclStore(ZkStore zk, Consumer<List<AclBinding>> onChange, java.util.function.LongSupplier clock) {
        this.curator = zk.curator();
        this.onChange = onChange;
        this.clock = clock;
        this.literalCache = CuratorCache.build(curator, LITERAL_ROOT);
        this.prefixedCache = CuratorCache.build(curator, PREFIXED_ROOT);
        for (CuratorCache cache : List.of(literalCache, prefixedCache)) {
            cache.listenable().addListener(CuratorCacheListener.builder()
                    .forAll((type, oldData, data) -> {
                        if (initialized.getCount() == 0) {
                            publish();
                        }
                    })
                    .forInitialized(() -> {
                        initialized.countDown();
                        if (initialized.getCount() == 0) {
                            publish();
                        }
                    })
                    .build());
        }
    }

    /** Creates the roots and loads the ACLs, waiting up to {@code waitMs}. */
    public void start(long waitMs) {
        try {
            for (String path : List.of(LITERAL_ROOT, PREFIXED_ROOT, LITERAL_CHANGES, EXTENDED_CHANGES)) {
                curator.createContainers(path);
            }
        } catch (Exception e) {
            throw wrap("create the ACL roots", e);
        }
        literalCache.start();
        prefixedCache.start();
        try {
            if (!initialized.await(waitMs, TimeUnit.MILLISECONDS)) {
                throw new ZkException("The ACLs did not load from ZooKeeper within " + waitMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZkException("Interrupted while loading the ACLs", e);
        }
    }

    private void publish() {
        onChange.accept(bindings());
    }

    /** Every binding in the cached copy. */
    public List<AclBinding> bindings() {
        List<AclBinding> out = new ArrayList<>();
        collect(literalCache, LITERAL_ROOT, PatternType.LITERAL, out);
        collect(prefixedCache, PREFIXED_ROOT, PatternType.PREFIXED, out);
        return out;
    }

    private static void collect(CuratorCache cache, String root, PatternType patternType, List<AclBinding> out) {
        cache.stream().forEach(node -> {
            Optional<ResourcePattern> pattern = patternOf(node.getPath(), root, patternType);
            if (pattern.isPresent() && node.getData() != null && node.getData().length > 0) {
                try {
                    decode(node.getData()).forEach(e -> out.add(new AclBinding(pattern.get(), e)));
                } catch (RuntimeException e) {
                    log.error("Ignoring malformed ACLs at {}: {}", node.getPath(), e.getMessage());
                }
            }
        });
    }

    /**
     * Every binding as ZooKeeper holds it now (not the cached copy): what DescribeAcls and DeleteAcls
     * answer from, so that an ACL just created on any broker is listed at once.
     */
    public List<AclBinding> read() {
        List<AclBinding> out = new ArrayList<>();
        try {
            for (var root : List.of(Map.entry(LITERAL_ROOT, PatternType.LITERAL), Map.entry(PREFIXED_ROOT, PatternType.PREFIXED))) {
                for (String type : children(root.getKey())) {
                    for (String name : children(root.getKey() + "/" + type)) {
                        String path = root.getKey() + "/" + type + "/" + name;
                        Optional<ResourcePattern> pattern = patternOf(path, root.getKey(), root.getValue());
                        byte[] data = pattern.isEmpty() ? null : dataOrNull(path);
                        if (data != null && data.length > 0) {
                            decode(data).forEach(e -> out.add(new AclBinding(pattern.get(), e)));
                        }
                    }
                }
            }
        } catch (Exception e) {
            throw wrap("read the ACLs", e);
        }
        return out;
    }

    private List<String> children(String path) throws Exception {
        try {
            return curator.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    private byte[] dataOrNull(String path) throws Exception {
        try {
            return curator.getData().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    /** {@code root/<Type>/<name>} to a pattern; anything else (the roots, type folders, stray znodes) to empty. */
    static Optional<ResourcePattern> patternOf(String path, String root, PatternType patternType) {
        if (!path.startsWith(root + "/")) {
            return Optional.empty();
        }
        String[] parts = path.substring(root.length() + 1).split("/");
        if (parts.length != 2) {
            return Optional.empty();
        }
        ResourceType type = resourceType(parts[0]);
        if (type == ResourceType.UNKNOWN) {
            return Optional.empty();
        }
        return Optional.of(new ResourcePattern(type, decodeName(parts[1]), patternType));
    }

    /**
     * Adds bindings (already validated); those already present stay once.
     *
     * @throws ZkException when ZooKeeper cannot be written
     */
    public void add(ResourcePattern pattern, List<AccessControlEntry> entries) {
        update(pattern, current -> {
            List<AccessControlEntry> next = new ArrayList<>(current);
            entries.stream().filter(e -> !next.contains(e)).forEach(next::add);
            return next;
        });
    }

    /**
     * Removes the entries of one pattern that {@code remove} selects.
     *
     * @return the entries removed
     */
    public List<AccessControlEntry> remove(ResourcePattern pattern, Predicate<AccessControlEntry> remove) {
        List<AccessControlEntry> removed = new ArrayList<>();
        update(pattern, current -> {
            removed.clear();
            List<AccessControlEntry> next = new ArrayList<>();
            for (AccessControlEntry e : current) {
                (remove.test(e) ? removed : next).add(e);
            }
            return next;
        });
        return removed;
    }

    /** Read, change, write conditionally on the version; an empty result deletes the znode. */
    private void update(ResourcePattern pattern, java.util.function.UnaryOperator<List<AccessControlEntry>> change) {
        String path = path(pattern);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try {
                Stat stat = new Stat();
                List<AccessControlEntry> current;
                try {
                    current = decode(curator.getData().storingStatIn(stat).forPath(path));
                } catch (KeeperException.NoNodeException e) {
                    stat = null;
                    current = List.of();
                }
                List<AccessControlEntry> next = change.apply(current);
                if (next.equals(current)) {
                    return;
                }
                if (stat == null) {
                    curator.create().creatingParentContainersIfNeeded().forPath(path, encode(next));
                } else if (next.isEmpty()) {
                    curator.delete().withVersion(stat.getVersion()).forPath(path);
                } else {
                    curator.setData().withVersion(stat.getVersion()).forPath(path, encode(next));
                }
                notifyChange(pattern);
                return;
            } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                     | KeeperException.NoNodeException e) {
                log.debug("Concurrent change of {}; retrying", path);
            } catch (Exception e) {
                throw wrap("write the ACLs of " + pattern, e);
            }
        }
        throw new ZkException("Gave up writing the ACLs of " + pattern + " after " + MAX_ATTEMPTS + " concurrent changes");
    }

    private void notifyChange(ResourcePattern pattern) throws Exception {
        boolean literal = pattern.patternType() == PatternType.LITERAL;
        String root = literal ? LITERAL_CHANGES : EXTENDED_CHANGES;
        byte[] data = literal
                ? (typeName(pattern.resourceType()) + ":" + pattern.name()).getBytes(StandardCharsets.UTF_8)
                : ZkStore.toJson(Map.of("version", 1, "resourceType", typeName(pattern.resourceType()),
                        "name", pattern.name(), "patternType", "PREFIXED"));
        curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(root + "/" + CHANGE_PREFIX, data);
        purgeNotifications(root);
    }

    private void purgeNotifications(String root) throws Exception {
        long cutoff = clock.getAsLong() - NOTIFICATION_RETENTION_MS;
        for (String child : curator.getChildren().forPath(root)) {
            Stat stat = curator.checkExists().forPath(root + "/" + child);
            if (stat != null && stat.getCtime() < cutoff) {
                try {
                    curator.delete().forPath(root + "/" + child);
                } catch (KeeperException.NoNodeException e) {
                    // another broker purged it
                }
            }
        }
    }

    static String path(ResourcePattern pattern) {
        String root = pattern.patternType() == PatternType.PREFIXED ? PREFIXED_ROOT : LITERAL_ROOT;
        return root + "/" + typeName(pattern.resourceType()) + "/" + encodeName(pattern.name());
    }

    /** Kafka's spelling of a resource type in znode paths: {@code TRANSACTIONAL_ID} is {@code TransactionalId}. */
    static String typeName(ResourceType type) {
        return camel(type.name());
    }

    static ResourceType resourceType(String name) {
        for (ResourceType t : ResourceType.values()) {
            if (typeName(t).equals(name)) {
                return t;
            }
        }
        return ResourceType.UNKNOWN;
    }

    private static String camel(String upperSnake) {
        StringBuilder sb = new StringBuilder();
        for (String word : upperSnake.split("_")) {
            sb.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    static String encodeName(String name) {
        return name.replace("%", "%25").replace("/", "%2F");
    }

    static String decodeName(String name) {
        return name.replace("%2F", "/").replace("%25", "%");
    }

    static byte[] encode(List<AccessControlEntry> entries) {
        List<Map<String, Object>> acls = new ArrayList<>();
        for (AccessControlEntry e : entries) {
            Map<String, Object> acl = new LinkedHashMap<>();
            acl.put("principal", e.principal());
            acl.put("permissionType", camel(e.permissionType().name()));
            acl.put("operation", camel(e.operation().name()));
            acl.put("host", e.host());
            acls.add(acl);
        }
        return ZkStore.toJson(Map.of("version", 1, "acls", acls));
    }

    static List<AccessControlEntry> decode(byte[] data) {
        Map<String, Object> json = ZkStore.fromJson(data, new TypeReference<>() { });
        List<AccessControlEntry> out = new ArrayList<>();
        Object acls = json.get("acls");
        if (!(acls instanceof List<?> list)) {
            throw new ZkException("No \"acls\" list in " + new String(data, StandardCharsets.UTF_8));
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> acl)) {
                throw new ZkException("Malformed ACL entry " + o);
            }
            AclOperation op = enumOf(AclOperation.values(), String.valueOf(acl.get("operation")), AclOperation.UNKNOWN);
            AclPermissionType perm = enumOf(AclPermissionType.values(), String.valueOf(acl.get("permissionType")),
                    AclPermissionType.UNKNOWN);
            if (op == AclOperation.UNKNOWN || perm == AclPermissionType.UNKNOWN || acl.get("principal") == null) {
                throw new ZkException("Malformed ACL entry " + acl);
            }
            out.add(new AccessControlEntry(String.valueOf(acl.get("principal")),
                    String.valueOf(acl.get("host") == null ? "*" : acl.get("host")), op, perm));
        }
        return out;
    }

    private static <E extends Enum<E>> E enumOf(E[] values, String camelName, E unknown) {
        for (E v : values) {
            if (camel(v.name()).equalsIgnoreCase(camelName) || v.name().equalsIgnoreCase(camelName)) {
                return v;
            }
        }
        return unknown;
    }

    private static RuntimeException wrap(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (e instanceof RuntimeException re) {
            return re;
        }
        return new ZkException("Cannot " + what + " in ZooKeeper: " + e, e);
    }

    @Override
    public void close() {
        literalCache.close();
        prefixedCache.close();
    }
}
