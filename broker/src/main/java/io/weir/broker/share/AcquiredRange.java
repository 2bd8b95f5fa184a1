package io.weir.broker.share;

/** Offsets {@code first..last} (inclusive) acquired by one member, each delivered {@code deliveryCount} times. */
public record AcquiredRange(long first, long last, int deliveryCount) {
}
