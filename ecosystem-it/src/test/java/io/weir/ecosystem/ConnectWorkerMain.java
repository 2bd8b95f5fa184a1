package io.weir.ecosystem;

import java.io.IOException;
import org.apache.kafka.connect.cli.ConnectDistributed;

/**
 * The main class of a worker JVM started by {@link ConnectWorkerProcess}: {@code ConnectDistributed} with a
 * watchdog on standard input, a pipe from the test JVM. When the pipe ends (the test JVM is gone: a crashed or
 * killed build) the worker halts, so that no worker outlives its test on a shared machine.
 */
final class ConnectWorkerMain {
    private ConnectWorkerMain() {
    }

    public static void main(String[] args) {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever written: only the end of the stream matters
                }
            } catch (IOException e) {
                // a broken pipe means the same as its end
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        ConnectDistributed.main(args);
    }
}
