package io.weir.broker.zk;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A topic as stored in ZooKeeper: its id, its partitions with their replica lists (the first
 * replica is the preferred leader), the partitions being reassigned, and its configuration
 * overrides. {@code version} is the znode version of {@code /brokers/topics/<name>} it was read at
 * (-1 for one not yet written): updates are conditional on it.
 *
 * <p>While partition {@code p} is reassigned, {@code assignment.get(p)} is the full replica set (the
 * target replicas followed by the original ones being removed), and {@code reassignments.get(p)}
 * says which replicas are being added and which removed (Kafka's KIP-455 layout).
 */
public record TopicRecord(String name, Uuid topicId, SortedMap<Integer, List<Integer>> assignment,
                          SortedMap<Integer, Reassignment> reassignments, Map<String, String> configs, int version) {

    /**
     * A reassignment in progress: replicas being added (not yet in sync) and replicas to remove
     * once every target replica is in sync. At least one of the two is not empty.
     */
    public record Reassignment(List<Integer> adding, List<Integer> removing) {
        public Reassignment {
            adding = List.copyOf(adding);
            removing = List.copyOf(removing);
        }

        /** The replicas the partition ends with: the full set without the ones being removed. */
        public List<Integer> target(List<Integer> replicas) {
            return replicas.stream().filter(r -> !removing.contains(r)).toList();
        }

        /** The replicas the partition had before: the full set without the ones being added. */
        public List<Integer> original(List<Integer> replicas) {
            return replicas.stream().filter(r -> !adding.contains(r)).toList();
        }
    }

    public TopicRecord {
        assignment = Collections.unmodifiableSortedMap(new TreeMap<>(assignment));
        reassignments = Collections.unmodifiableSortedMap(new TreeMap<>(reassignments));
    }

    /** A topic with no reassignment in progress. */
    public TopicRecord(String name, Uuid topicId, SortedMap<Integer, List<Integer>> assignment, Map<String, String> configs,
                       int version) {
        this(name, topicId, assignment, new TreeMap<>(), configs, version);
    }

    public int partitionCount() {
        return assignment.size();
    }

    /** This topic with partition {@code p}'s replicas set to {@code replicas} and its reassignment to {@code r} (null: none). */
    public TopicRecord withPartition(int p, List<Integer> replicas, Reassignment r) {
        TreeMap<Integer, List<Integer>> a = new TreeMap<>(assignment);
        a.put(p, List.copyOf(replicas));
        TreeMap<Integer, Reassignment> rs = new TreeMap<>(reassignments);
        if (r == null) {
            rs.remove(p);
        } else {
            rs.put(p, r);
        }
        return new TopicRecord(name, topicId, a, rs, configs, version);
    }

    /** This topic with more partitions (the existing ones and their reassignments unchanged). */
    public TopicRecord withAssignment(SortedMap<Integer, List<Integer>> newAssignment) {
        return new TopicRecord(name, topicId, newAssignment, reassignments, configs, version);
    }

    /** Partitions with a reassignment in progress, in order. */
    public List<Integer> reassigning() {
        return new ArrayList<>(reassignments.keySet());
    }
}
