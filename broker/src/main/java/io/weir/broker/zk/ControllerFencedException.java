package io.weir.broker.zk;

/** A controller write failed because another controller has since taken over (a newer controller epoch). */
public final class ControllerFencedException extends ZkException {
    public ControllerFencedException(String message) {
        super(message);
    }
}
