package io.weir.broker.group;

/**
 * A committed position of a group in one partition.
 *
 * @param leaderEpoch     the leader epoch of the record at the offset, or -1
 * @param metadata        the client's string (the JMS provider keeps acknowledgement state here)
 * @param commitTimestamp when the coordinator wrote it
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp) {
}
