package io.weir.broker.server;

import io.weir.broker.common.Time;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/weir-server [server.properties] [--override key=value]...}: starts one broker and runs
 * until SIGTERM/SIGINT, which closes it cleanly (logs flushed, clean-shutdown marker written).
 * Exit codes: 0 after a clean stop, 1 for a configuration error, 2 when startup fails otherwise.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        BrokerConfig config;
        try {
            config = parse(args);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("weir-server: invalid configuration: " + e.getMessage());
            System.exit(1);
            return;
        }
        WeirServer server = new WeirServer(config, Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "weir-shutdown"));
        try {
            server.startup();
        } catch (KafkaStorageException | IllegalStateException e) {
            log.error("Startup failed: {}", e.getMessage(), e);
            System.exit(2);
            return;
        }
        server.awaitShutdown();
    }

    static BrokerConfig parse(String[] args) {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--override")) {
                if (i + 1 >= args.length || !args[i + 1].contains("=")) {
                    throw new IllegalArgumentException("--override needs key=value");
                }
                String kv = args[++i];
                overrides.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            } else if (file == null) {
                file = Path.of(args[i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + args[i]
                        + "; usage: weir-server [server.properties] [--override key=value]...");
            }
        }
        return file == null ? new BrokerConfig(overrides) : BrokerConfig.load(file, overrides);
    }
}
