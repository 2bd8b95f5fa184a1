package io.weir.broker.server;

import io.weir.broker.auth.ScramCredentialStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SCRAM users created at startup from {@value #KEY}, in the syntax of Kafka's
 * {@code kafka-storage format --add-scram}, entries separated by {@code ;}:
 * {@code SCRAM-SHA-256=[name=alice,password=alice-secret];SCRAM-SHA-512=[name=bob,password=b,iterations=8192]}.
 * A credential already in ZooKeeper is left alone, so passwords changed later with
 * {@code kafka-configs.sh} survive restarts.
 */
final class ScramSeeds {
    static final String KEY = "sasl.scram.initial.credentials";
    private static final Logger log = LoggerFactory.getLogger(ScramSeeds.class);

    private ScramSeeds() {
    }

    static void apply(Map<String, String> props, ScramCredentialStore store) {
        String value = props.get(KEY);
        if (value == null || value.isBlank()) {
            return;
        }
        for (String entry : value.split(";")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq < 0 || !e.endsWith("]") || e.charAt(eq + 1) != '[') {
                throw new ConfigException(KEY, "(hidden)", "expected MECHANISM=[name=…,password=…], not '" + e.replaceAll("password=[^,\\]]*", "password=…") + "'");
            }
            ScramMechanism mechanism = ScramMechanism.forMechanismName(e.substring(0, eq).trim());
            if (mechanism == null) {
                throw new ConfigException(KEY, "(hidden)", "'" + e.substring(0, eq).trim() + "' is not SCRAM-SHA-256 or SCRAM-SHA-512");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (String kv : e.substring(eq + 2, e.length() - 1).split(",")) {
                int i = kv.indexOf('=');
                if (i > 0) {
                    fields.put(kv.substring(0, i).trim(), kv.substring(i + 1));
                }
            }
            String name = fields.get("name");
            String password = fields.get("password");
            if (name == null || name.isEmpty() || password == null || password.isEmpty()) {
                throw new ConfigException(KEY, "(hidden)", "every entry needs name= and password=");
            }
            int iterations;
            try {
                iterations = Integer.parseInt(fields.getOrDefault("iterations", "4096").trim());
            } catch (NumberFormatException ex) {
                throw new ConfigException(KEY, "(hidden)", "iterations of " + name + " is not a number");
            }
            if (iterations < mechanism.minIterations() || iterations > mechanism.maxIterations()) {
                throw new ConfigException(KEY, "(hidden)", "iterations of " + name + " must be between "
                        + mechanism.minIterations() + " and " + mechanism.maxIterations());
            }
            if (store.describe(name).containsKey(mechanism)) {
                continue;
            }
            store.upsertPassword(name, mechanism, password, iterations);
            log.info("Created the initial {} credential of user {}", mechanism.mechanismName(), name);
        }
    }
}
