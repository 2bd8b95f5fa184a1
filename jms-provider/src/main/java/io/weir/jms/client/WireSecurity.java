package io.weir.jms.client;

import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the provider's own Kafka-protocol connections ({@link BrokerConnection}) are secured, taken from the same
 * kafka-clients settings its producers and consumers use, so one configuration serves both:
 * <ul>
 *   <li>{@code security.protocol}: PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL;</li>
 *   <li>TLS: {@code ssl.truststore.location/password/type} (JKS or PKCS12; the JDK's default trust without one),
 *       {@code ssl.keystore.location/password/type} and {@code ssl.key.password} for a client certificate,
 *       {@code ssl.protocol} (default TLS), and host name verification unless
 *       {@code ssl.endpoint.identification.algorithm} is empty (kafka-clients' default is {@code https});</li>
 *   <li>SASL: {@code sasl.mechanism} (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; GSSAPI and OAUTHBEARER are not
 *       spoken here) with the {@code username} and {@code password} options of {@code sasl.jaas.config}.</li>
 * </ul>
 * A setting this class cannot honour is an {@link IllegalArgumentException} naming the key. Immutable.
 *
 * @param sslContext     null unless the protocol uses TLS
 * @param verifyHostname whether the broker's certificate must name the host connected to
 * @param mechanism      null unless the protocol uses SASL
 */
public record WireSecurity(SecurityProtocol protocol, SSLContext sslContext, boolean verifyHostname, String mechanism,
                           String username, String password) {

    public static final WireSecurity PLAINTEXT = new WireSecurity(SecurityProtocol.PLAINTEXT, null, false, null, null, null);

    static final Set<String> MECHANISMS = Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
    private static final Pattern JAAS_OPTION = Pattern.compile("([A-Za-z0-9_.-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s;\"]+))");

    /** The security of {@code props} (kafka-clients settings). */
    public static WireSecurity of(Properties props) {
        String name = props.getProperty("security.protocol", "PLAINTEXT").trim().toUpperCase(Locale.ROOT);
        SecurityProtocol protocol;
        try {
            protocol = SecurityProtocol.forName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("security.protocol: unknown protocol '" + name + "'");
        }
        boolean tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
        boolean sasl = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
        if (!tls && !sasl) {
            return PLAINTEXT;
        }
        SSLContext ssl = tls ? tlsContext(props) : null;
        boolean verify = tls && !props.getProperty("ssl.endpoint.identification.algorithm", "https").isBlank();
        if (!sasl) {
            return new WireSecurity(protocol, ssl, verify, null, null, null);
        }
        String mechanism = props.getProperty("sasl.mechanism", "GSSAPI").trim().toUpperCase(Locale.ROOT);
        if (!MECHANISMS.contains(mechanism)) {
            throw new IllegalArgumentException("sasl.mechanism: " + mechanism + " is not supported for two-phase commit"
                    + " connections; use one of " + MECHANISMS);
        }
        String jaas = props.getProperty("sasl.jaas.config");
        if (jaas == null) {
            throw new IllegalArgumentException("sasl.jaas.config: needed with security.protocol=" + protocol
                    + " (or give the connection a user and password)");
        }
        Map<String, String> options = jaasOptions(jaas);
        if (options.get("username") == null || options.get("password") == null) {
            throw new IllegalArgumentException("sasl.jaas.config: needs the username and password options for " + mechanism);
        }
        return new WireSecurity(protocol, ssl, verify, mechanism, options.get("username"), options.get("password"));
    }

    boolean usesTls() {
        return sslContext != null;
    }

    boolean usesSasl() {
        return mechanism != null;
    }

    /** The {@code key="value"} options of a JAAS login module line (the module name and flag are skipped). */
    static Map<String, String> jaasOptions(String jaas) {
        Map<String, String> options = new HashMap<>();
        Matcher m = JAAS_OPTION.matcher(jaas);
        while (m.find()) {
            String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
            options.put(m.group(1), value);
        }
        return options;
    }

    private static SSLContext tlsContext(Properties p) {
        try {
            KeyManagerFactory kmf = null;
            String keystore = p.getProperty("ssl.keystore.location");
            if (keystore != null && !keystore.isBlank()) {
                String password = p.getProperty("ssl.keystore.password");
                KeyStore ks = load("ssl.keystore", keystore, p.getProperty("ssl.keystore.type", "JKS"), password);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String keyPassword = p.getProperty("ssl.key.password", password);
                kmf.init(ks, keyPassword == null ? new char[0] : keyPassword.toCharArray());
            }
            TrustManagerFactory tmf = null;
            String truststore = p.getProperty("ssl.truststore.location");
            if (truststore != null && !truststore.isBlank()) {
                KeyStore ts = load("ssl.truststore", truststore, p.getProperty("ssl.truststore.type", "JKS"),
                        p.getProperty("ssl.truststore.password"));
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
            }
            SSLContext ctx = SSLContext.getInstance(p.getProperty("ssl.protocol", "TLS").trim());
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("ssl.*: cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String prefix, String location, String type, String password)
            throws IOException, GeneralSecurityException {
        if (type.trim().equalsIgnoreCase("PEM")) {
            throw new IllegalArgumentException(prefix + ".type: PEM stores are not supported for two-phase commit"
                    + " connections; use JKS or PKCS12");
        }
        Path path = Path.of(location.trim());
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(prefix + ".location: " + location + " does not exist or cannot be read");
        }
        KeyStore ks = KeyStore.getInstance(type.trim());
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, password == null ? null : password.toCharArray());
        }
        return ks;
    }

    @Override
    public String toString() {
        return protocol + (usesSasl() ? " " + mechanism + " as " + username : "");
    }
}
