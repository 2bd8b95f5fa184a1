package io.weir.broker.controller;

import java.util.List;

/**
 * Leadership of one partition: its replicas (the first is preferred), the in-sync replicas, the
 * leader (-1 when none is available) and the leader epoch, which fences stale leaders. Immutable.
 */
public record PartitionState(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch) {
}
