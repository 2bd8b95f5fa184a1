package io.weir.broker.network;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * Builds TLS contexts from Kafka's {@code ssl.*} settings, each looked up first with the listener prefix
 * {@code listener.name.<listener lower case>.} and then without it: {@code ssl.keystore.location},
 * {@code ssl.keystore.password}, {@code ssl.key.password}, {@code ssl.keystore.type} (JKS, PKCS12),
 * {@code ssl.truststore.location}, {@code ssl.truststore.password}, {@code ssl.truststore.type},
 * {@code ssl.client.auth} (none, requested, required), {@code ssl.enabled.protocols}. A missing or
 * unreadable store is a {@link ConfigException} naming the key.
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    /** The server context of listener {@code listenerName}. */
    public static SslContext server(Map<String, String> props, String listenerName) {
        Settings s = new Settings(props, "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".");
        try {
            KeyManagerFactory kmf = keyManagers(s);
            if (kmf == null) {
                throw new ConfigException("ssl.keystore.location", null, "listener " + listenerName + " uses TLS and needs a keystore");
            }
            SslContextBuilder b = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK);
            TrustManagerFactory tmf = trustManagers(s);
            if (tmf != null) {
                b.trustManager(tmf);
            }
            String auth = s.get("ssl.client.auth", "none").toLowerCase(Locale.ROOT);
            b.clientAuth(switch (auth) {
                case "none" -> ClientAuth.NONE;
                case "requested" -> ClientAuth.OPTIONAL;
                case "required" -> ClientAuth.REQUIRE;
                default -> throw new ConfigException(s.key("ssl.client.auth"), auth, "expected none, requested or required");
            });
            String protocols = s.get("ssl.enabled.protocols", null);
            if (protocols != null) {
                b.protocols(Arrays.stream(protocols.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toArray(String[]::new));
            }
            return b.build();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("Cannot build the TLS context of listener " + listenerName + ": " + e);
        }
    }

    /** A client context (for inter-broker connections) from the same settings of {@code listenerName}. */
    public static SSLContext client(Map<String, String> props, String listenerName) {
        Settings s = new Settings(props, "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".");
        try {
            KeyManagerFactory kmf = keyManagers(s);
            TrustManagerFactory tmf = trustManagers(s);
            SSLContext ctx = SSLContext.getInstance(s.get("ssl.protocol", "TLS"));
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("Cannot build the TLS client context of listener " + listenerName + ": " + e);
        }
    }

    private static KeyManagerFactory keyManagers(Settings s) throws IOException, GeneralSecurityException {
        String location = s.get("ssl.keystore.location", null);
        if (location == null) {
            return null;
        }
        String password = s.get("ssl.keystore.password", null);
        KeyStore ks = load(s.key("ssl.keystore.location"), location, s.get("ssl.keystore.type", "JKS"), password);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPassword = s.get("ssl.key.password", password);
        kmf.init(ks, keyPassword == null ? new char[0] : keyPassword.toCharArray());
        return kmf;
    }

    private static TrustManagerFactory trustManagers(Settings s) throws IOException, GeneralSecurityException {
        String location = s.get("ssl.truststore.location", null);
        if (location == null) {
            return null;
        }
        KeyStore ts = load(s.key("ssl.truststore.location"), location, s.get("ssl.truststore.type", "JKS"),
                s.get("ssl.truststore.password", null));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }

    private static KeyStore load(String key, String location, String type, String password) throws IOException,
            GeneralSecurityException {
        Path path = Path.of(location);
        if (!Files.isReadable(path)) {
            throw new ConfigException(key, location, "the store does not exist or cannot be read");
        }
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, password == null ? null : password.toCharArray());
        }
        return ks;
    }

    private record Settings(Map<String, String> props, String prefix) {
        String get(String key, String fallback) {
            String v = props.get(prefix + key);
            if (v == null) {
                v = props.get(key);
            }
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        String key(String key) {
            return props.containsKey(prefix + key) ? prefix + key : key;
        }
    }
}
