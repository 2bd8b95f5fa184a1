package io.weir.broker.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads the options of a {@code sasl.jaas.config} value, Kafka's one-module JAAS syntax:
 * {@code org.apache.kafka.common.security.plain.PlainLoginModule required username="admin"
 * password="admin-secret" user_admin="admin-secret";}. Values may be quoted ({@code \"} escapes a quote)
 * or bare words.
 */
public final class JaasOptions {
    private JaasOptions() {
    }

    /**
     * @param key the property the value came from, for the error message
     * @throws ConfigException when the value is not one login module with options
     */
    public static Map<String, String> parse(String key, String value) {
        String s = value.trim();
        int i = 0;
        int n = s.length();
        // login module class and control flag
        for (int word = 0; word < 2; word++) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != ';') {
                i++;
            }
            if (start == i) {
                throw new ConfigException(key, "(hidden)", "expected '<LoginModule> required key=\"value\" …;'");
            }
        }
        Map<String, String> options = new LinkedHashMap<>();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                throw new ConfigException(key, "(hidden)", "the JAAS configuration must end with ';'");
            }
            if (s.charAt(i) == ';') {
                if (!s.substring(i + 1).isBlank()) {
                    throw new ConfigException(key, "(hidden)", "only one login module is allowed");
                }
                return options;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                throw new ConfigException(key, "(hidden)", "expected key=\"value\" at position " + i);
            }
            String name = s.substring(i, eq).trim();
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < n && s.charAt(i) == '"') {
                i++;
                while (i < n && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    v.append(s.charAt(i++));
                }
                if (i >= n) {
                    throw new ConfigException(key, "(hidden)", "unterminated quoted value of " + name);
                }
                i++;
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != ';') {
                    v.append(s.charAt(i++));
                }
            }
            options.put(name, v.toString());
        }
    }
}
