package io.weir.tck;

import java.util.Map;

/** A broker started once for a TCK run, with the JNDI entries that reach it. */
public interface TckBroker extends AutoCloseable {
    /** Starts the broker; returns the jndi.properties entries for it. */
    Map<String, String> start() throws Exception;

    /** What the log should call this broker. */
    String describe();

    /** Stops the broker; failures are reported unchecked. */
    @Override
    void close();
}
