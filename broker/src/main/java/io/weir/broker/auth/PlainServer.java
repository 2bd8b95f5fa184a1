package io.weir.broker.auth;

import io.weir.broker.network.SaslMechanismServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * SASL/PLAIN (RFC 4616) against users from the broker configuration: one client token
 * {@code [authzid] NUL authcid NUL passwd}; an authorization id, when given, must equal the user.
 * Passwords are compared in constant time. Not thread-safe (one exchange).
 */
final class PlainServer implements SaslMechanismServer {
    static final String MECHANISM = "PLAIN";

    private final Map<String, String> passwords;
    private String username;

    PlainServer(Map<String, String> passwords) {
        this.passwords = passwords;
    }

    @Override
    public byte[] evaluate(byte[] clientToken) {
        if (username != null) {
            throw new SaslAuthenticationException("PLAIN authentication is already complete");
        }
        String token = new String(clientToken, StandardCharsets.UTF_8);
        String[] parts = token.split("\u0000", -1);
        if (parts.length != 3) {
            throw new SaslAuthenticationException("Invalid SASL/PLAIN response: expected 3 fields separated by NUL, got "
                    + parts.length);
        }
        String authzid = parts[0];
        String user = parts[1];
        if (user.isEmpty()) {
            throw new SaslAuthenticationException("Authentication failed: username not specified");
        }
        if (parts[2].isEmpty()) {
            throw new SaslAuthenticationException("Authentication failed: password not specified");
        }
        String expected = passwords.get(user);
        // compare even for an unknown user, so that timing does not tell which users exist
        byte[] given = parts[2].getBytes(StandardCharsets.UTF_8);
        byte[] wanted = (expected == null ? "\u0000unknown" : expected).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, wanted) || expected == null) {
            throw new SaslAuthenticationException("Authentication failed: Invalid username or password");
        }
        if (!authzid.isEmpty() && !authzid.equals(user)) {
            throw new SaslAuthenticationException("Authentication failed: Client requested an authorization id that is"
                    + " different from username");
        }
        this.username = user;
        return new byte[0];
    }

    @Override
    public boolean isComplete() {
        return username != null;
    }

    @Override
    public String username() {
        return username;
    }

    @Override
    public String mechanism() {
        return MECHANISM;
    }
}
