package io.weir.broker.share;

/** A persisted run of offsets {@code first..last} (inclusive) sharing one state and delivery count. */
public record StateBatch(long first, long last, DeliveryState state, int deliveryCount) {
}
