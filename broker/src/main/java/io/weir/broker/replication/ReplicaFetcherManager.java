package io.weir.broker.replication;

import io.weir.broker.common.Time;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The replica fetcher threads of this broker, one per leader broker it follows partitions from.
 * A partition is fetched by at most one thread: adding it removes it from any other.
 *
 * <p>Thread-safe (synchronized). Lifecycle: {@link #close} stops every thread.
 */
final class ReplicaFetcherManager implements AutoCloseable {
    private final int localBrokerId;
    private final Time time;
    private final ReplicationConfig config;
    private final ReplicationQuota quota;
    private final Map<Integer, ReplicaFetcherThread> threads = new HashMap<>();
    private final Map<Integer, InetSocketAddress> addresses = new HashMap<>();
    private final Map<TopicPartition, Integer> sources = new HashMap<>();
    /** What each followed partition was handed over with, to move it to a new thread. */
    private final Map<TopicPartition, Map.Entry<Partition, Integer>> followed = new HashMap<>();
    private boolean closed;
    private boolean paused;

    ReplicaFetcherManager(int localBrokerId, Time time, ReplicationConfig config, ReplicationQuota quota) {
        this.localBrokerId = localBrokerId;
        this.time = time;
        this.config = config;
        this.quota = quota;
    }

    /** Fetches {@code partition} from {@code leader} at {@code leaderEpoch} (truncating first). */
    synchronized void follow(Partition partition, int leader, InetSocketAddress address, int leaderEpoch) {
        if (closed) {
            return;
        }
        TopicPartition tp = partition.topicPartition();
        unfollow(tp);
        ReplicaFetcherThread thread = threads.get(leader);
        if (thread != null && !address.equals(addresses.get(leader))) {
            // the leader came back at another address: a new thread takes over its partitions
            thread.close();
            thread = new ReplicaFetcherThread(localBrokerId, leader, address, time, config, quota);
            threads.put(leader, thread);
            addresses.put(leader, address);
            thread.setPaused(paused);
            thread.start();
            for (Map.Entry<TopicPartition, Integer> e : sources.entrySet()) {
                if (e.getValue() == leader) {
                    Map.Entry<Partition, Integer> f = followed.get(e.getKey());
                    thread.add(f.getKey(), f.getValue());
                }
            }
        }
        if (thread == null) {
            thread = new ReplicaFetcherThread(localBrokerId, leader, address, time, config, quota);
            threads.put(leader, thread);
            addresses.put(leader, address);
            thread.setPaused(paused);
            thread.start();
        }
        thread.add(partition, leaderEpoch);
        sources.put(tp, leader);
        followed.put(tp, Map.entry(partition, leaderEpoch));
    }

    /** The broker {@code tp} is fetched from, or -1. */
    synchronized int source(TopicPartition tp) {
        return sources.getOrDefault(tp, -1);
    }

    synchronized void unfollow(TopicPartition tp) {
        followed.remove(tp);
        Integer source = sources.remove(tp);
        if (source != null) {
            ReplicaFetcherThread thread = threads.get(source);
            if (thread != null) {
                thread.remove(tp);
                if (thread.isEmpty()) {
                    threads.remove(source);
                    addresses.remove(source);
                    thread.close();
                }
            }
        }
    }

    /** Fault injection: stops (or resumes) every fetch from leaders, as a stalled follower would. */
    synchronized void setPaused(boolean paused) {
        this.paused = paused;
        threads.values().forEach(t -> t.setPaused(paused));
    }

    @Override
    public synchronized void close() {
        closed = true;
        threads.values().forEach(ReplicaFetcherThread::close);
        threads.clear();
        sources.clear();
        followed.clear();
    }
}
