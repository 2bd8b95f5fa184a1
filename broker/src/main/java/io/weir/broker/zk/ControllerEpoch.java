package io.weir.broker.zk;

/**
 * The epoch a controller won ({@code /controller_epoch}) and that znode's version after its
 * increment: controller writes check the version in the same transaction, so a deposed controller's
 * writes fail. Immutable.
 */
public record ControllerEpoch(int epoch, int zkVersion) {
}
