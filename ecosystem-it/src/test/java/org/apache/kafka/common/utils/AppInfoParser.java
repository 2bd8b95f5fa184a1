package org.apache.kafka.common.utils;

/**
 * Bridge for the Connect plugins of this module. connect-file and connect-mirror are not served at the
 * kafka-clients version (4.4.0), so their newest served release (4.3.1) runs as plugins of the 4.4.0 Connect
 * runtime. kafka-clients 4.4.0 moved this class to {@code org.apache.kafka.common.utils.internals}; the 4.3.1
 * plugins call only {@link #getVersion()} (from their {@code version()} methods), forwarded here unchanged.
 * Remove this class once the plugins are taken at the kafka-clients version.
 */
public final class AppInfoParser {
    private AppInfoParser() {
    }

    public static String getVersion() {
        return org.apache.kafka.common.utils.internals.AppInfoParser.getVersion();
    }
}
