package io.weir.broker.zk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.kafka.common.TopicPartition;

/**
 * A watched copy of the cluster state in ZooKeeper (a Curator {@link CuratorCache} of
 * {@code /brokers}, {@code /config/topics} and {@code /controller}): brokers learn topics, leaders
 * and their own roles from it, and the controller learns broker deaths. {@code onChange} runs on
 * Curator's event thread after every change and must only hand the work off.
 *
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close} once.
 */
public final class ClusterWatch implements AutoCloseable {
    private final CuratorCache cache;
    private final CountDownLatch initialized = new CountDownLatch(1);
    private volatile boolean closed;

    public ClusterWatch(ZkStore zk, Runnable onChange) {
        this.cache = CuratorCache.build(zk.curator(), "/");
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> {
                    if (initialized.getCount() == 0) {
                        onChange.run();
                    }
                })
                .forInitialized(() -> {
                    initialized.countDown();
                    onChange.run();
                })
                .build());
    }

    /** Starts watching; returns once the first full copy is loaded. */
    public void start(long waitMs) {
        cache.start();
        try {
            if (!initialized.await(waitMs, TimeUnit.MILLISECONDS)) {
                throw new ZkException("The ZooKeeper cache did not load within " + waitMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZkException("Interrupted while loading the ZooKeeper cache", e);
        }
    }

    /**
     * The cluster as currently cached.
     *
     * @throws ZkException when the watch is closed or not loaded (an empty cache must never be taken
     *         for a cluster without topics)
     */
    public ClusterSnapshot snapshot() {
        if (closed || initialized.getCount() > 0 || cache.get(ZkStore.TOPICS).isEmpty()
                || cache.get(ZkStore.BROKER_IDS).isEmpty()) {
            throw new ZkException("The cluster state cache is " + (closed ? "closed" : "not loaded"));
        }
        List<BrokerRegistration> brokers = new ArrayList<>();
        Map<String, byte[]> topicData = new HashMap<>();
        Map<String, Integer> topicVersions = new HashMap<>();
        Map<String, byte[]> configs = new HashMap<>();
        Map<TopicPartition, LeaderAndIsr> states = new HashMap<>();
        int[] controller = {-1};
        java.util.Set<Integer> shuttingDown = new java.util.HashSet<>();
        cache.stream().forEach(node -> {
            String[] parts = node.getPath().substring(1).split("/");
            if (parts.length == 3 && parts[0].equals("weir") && parts[1].equals("shutting_down")) {
                try {
                    shuttingDown.add(Integer.parseInt(parts[2]));
                } catch (NumberFormatException e) {
                    // not ours
                }
            }
            collect(node, brokers, topicData, topicVersions, configs, states, controller);
        });
        Map<String, TopicRecord> topics = new HashMap<>();
        topicData.forEach((name, data) -> topics.put(name,
                ZkStore.parseTopic(name, data, topicVersions.get(name), configs.get(name))));
        states.keySet().removeIf(tp -> !topics.containsKey(tp.topic()));
        brokers.sort(java.util.Comparator.comparingInt(BrokerRegistration::id));
        return new ClusterSnapshot(List.copyOf(brokers), Map.copyOf(topics), Map.copyOf(states), controller[0],
                java.util.Set.copyOf(shuttingDown));
    }

    private static void collect(ChildData node, List<BrokerRegistration> brokers, Map<String, byte[]> topicData,
                                Map<String, Integer> topicVersions, Map<String, byte[]> configs,
                                Map<TopicPartition, LeaderAndIsr> states, int[] controller) {
        String path = node.getPath();
        byte[] data = node.getData();
        if (data == null || data.length == 0) {
            return;
        }
        String[] parts = path.substring(1).split("/");
        try {
            if (parts.length == 3 && parts[0].equals("brokers") && parts[1].equals("ids")) {
                brokers.add(ZkStore.parseBroker(Integer.parseInt(parts[2]), data));
            } else if (parts.length == 3 && parts[0].equals("brokers") && parts[1].equals("topics")) {
                topicData.put(parts[2], data);
                topicVersions.put(parts[2], node.getStat().getVersion());
            } else if (parts.length == 6 && parts[0].equals("brokers") && parts[3].equals("partitions")
                    && parts[5].equals("state")) {
                states.put(new TopicPartition(parts[2], Integer.parseInt(parts[4])),
                        ZkStore.parseState(data, node.getStat().getVersion()));
            } else if (parts.length == 3 && parts[0].equals("config") && parts[1].equals("topics")) {
                configs.put(parts[2], data);
            } else if (parts.length == 1 && parts[0].equals("controller")) {
                controller[0] = ZkStore.parseControllerId(data);
            }
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ClusterWatch.class).warn("Ignoring malformed znode {}: {}", path, e.toString());
        }
    }

    /**
     * A broker's dynamic configuration as cached: the cluster-wide defaults
     * ({@code /config/brokers/<default>}) overridden by its own ({@code /config/brokers/<id>}).
     */
    public Map<String, String> dynamicBrokerConfig(int brokerId) {
        Map<String, String> merged = new HashMap<>();
        for (String entity : List.of(ZkStore.DEFAULT_BROKER_ENTITY, String.valueOf(brokerId))) {
            cache.get(ZkStore.BROKER_CONFIGS + "/" + entity).filter(d -> d.getData() != null && d.getData().length > 0)
                    .ifPresent(d -> {
                        try {
                            merged.putAll(ZkStore.parseConfigOverrides(d.getData()));
                        } catch (RuntimeException e) {
                            org.slf4j.LoggerFactory.getLogger(ClusterWatch.class).warn("Ignoring malformed znode {}: {}",
                                    d.getPath(), e.toString());
                        }
                    });
        }
        return merged;
    }

    /**
     * A group's configuration overrides ({@code /config/groups/<group>}) as cached, version -1 when it has none: no
     * ZooKeeper read per request. The copy trails a write made through another ZooKeeper session by the time the
     * change notification takes (milliseconds); see {@link io.weir.broker.controller.TopicManager#groupConfigCurrent}.
     */
    public ZkStore.ConfigOverrides groupConfig(String group) {
        Optional<ChildData> node = cache.get(ZkStore.GROUP_CONFIGS + "/" + group);
        if (node.isEmpty() || node.get().getData() == null || node.get().getData().length == 0) {
            return new ZkStore.ConfigOverrides(Map.of(), -1);
        }
        ChildData d = node.get();
        ParsedGroupConfig memo = groupConfigs.get(group);
        if (memo != null && memo.node() == d) {
            return memo.overrides();
        }
        ZkStore.ConfigOverrides parsed;
        try {
            parsed = new ZkStore.ConfigOverrides(ZkStore.parseConfigOverrides(d.getData()), d.getStat().getVersion());
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ClusterWatch.class).warn("Ignoring malformed znode {}: {}", d.getPath(), e.toString());
            parsed = new ZkStore.ConfigOverrides(Map.of(), d.getStat().getVersion());
        }
        if (groupConfigs.size() > MAX_PARSED_GROUP_CONFIGS) {
            groupConfigs.clear();
        }
        groupConfigs.put(group, new ParsedGroupConfig(d, parsed));
        return parsed;
    }

    /** A group configuration parsed from the cached node {@code node} (reparsed when the cache holds another node). */
    private record ParsedGroupConfig(ChildData node, ZkStore.ConfigOverrides overrides) {
    }

    private static final int MAX_PARSED_GROUP_CONFIGS = 100_000;
    private final Map<String, ParsedGroupConfig> groupConfigs = new java.util.concurrent.ConcurrentHashMap<>();

    /** The cached state of one partition. */
    public Optional<LeaderAndIsr> state(TopicPartition tp) {
        return cache.get(ZkStore.statePath(tp.topic(), tp.partition()))
                .filter(d -> d.getData() != null && d.getData().length > 0)
                .map(d -> ZkStore.parseState(d.getData(), d.getStat().getVersion()));
    }

    @Override
    public void close() {
        closed = true;
        cache.close();
    }
}
