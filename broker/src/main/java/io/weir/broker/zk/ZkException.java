package io.weir.broker.zk;

import org.apache.kafka.common.errors.RetriableException;

/** ZooKeeper could not be reached or answered unexpectedly; the operation may succeed later. */
public class ZkException extends RetriableException {
    private static final long serialVersionUID = 1L;

    public ZkException(String message) {
        super(message);
    }

    public ZkException(String message, Throwable cause) {
        super(message, cause);
    }
}
