package io.weir.broker.server;

import io.weir.broker.log.LogManagerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The broker's configuration, with Kafka's property names. Parsing validates every known key and
 * fails with a {@link ConfigException} naming the key, so a broken file stops startup with a clear
 * message. Immutable.
 */
public final class BrokerConfig {
    public static final String BROKER_ID = "broker.id";

    private static final ConfigDef DEF = new ConfigDef()
            .define(BROKER_ID, Type.INT, 0, Range.atLeast(0), Importance.HIGH, "This broker's id in the cluster.");

    private final Map<String, String> originals;
    private final int brokerId;
    private final LogManagerConfig logManagerConfig;

    public BrokerConfig(Map<String, String> props) {
        this.originals = Map.copyOf(props);
        AbstractConfig c = new AbstractConfig(DEF, props, false);
        this.brokerId = c.getInt(BROKER_ID);
        this.logManagerConfig = LogManagerConfig.fromProperties(props);
    }

    /**
     * Reads a properties file, then applies {@code overrides} ({@code key=value}) on top.
     *
     * @throws ConfigException when the file is missing or unreadable, or a value is invalid
     */
    public static BrokerConfig load(Path file, Map<String, String> overrides) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Configuration file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> props = new HashMap<>();
        p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k).trim()));
        props.putAll(overrides);
        return new BrokerConfig(props);
    }

    public int brokerId() {
        return brokerId;
    }

    public LogManagerConfig logManagerConfig() {
        return logManagerConfig;
    }

    public Map<String, String> originals() {
        return originals;
    }
}
