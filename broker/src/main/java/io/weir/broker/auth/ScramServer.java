package io.weir.broker.auth;

import io.weir.broker.network.SaslMechanismServer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.BiFunction;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

/**
 * The server side of SCRAM-SHA-256/512 (RFC 5802, without channel binding, as Kafka): client-first →
 * server-first (salt, iterations, combined nonce) → client-final (proof checked against the stored
 * key) → server-final (server signature). The message formats and the key derivations are
 * kafka-clients' ({@link ScramFormatter}, {@code ScramMessages}), so what is stored is exactly what
 * {@code kafka-configs.sh} writes. Delegation tokens ({@code tokenauth} extension) are refused.
 *
 * <p>Not thread-safe (one exchange).
 */
final class ScramServer implements SaslMechanismServer {
    private enum State { RECEIVE_CLIENT_FIRST, RECEIVE_CLIENT_FINAL, COMPLETE, FAILED }

    private final ScramMechanism mechanism;
    private final ScramFormatter formatter;
    private final BiFunction<String, ScramMechanism, ScramCredential> credentials;
    private State state = State.RECEIVE_CLIENT_FIRST;
    private String username;
    private ClientFirstMessage clientFirst;
    private ServerFirstMessage serverFirst;
    private ScramCredential credential;

    ScramServer(ScramMechanism mechanism, BiFunction<String, ScramMechanism, ScramCredential> credentials) {
        this.mechanism = mechanism;
        this.credentials = credentials;
        try {
            this.formatter = new ScramFormatter(mechanism);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM lacks " + mechanism.hashAlgorithm(), e);
        }
    }

    @Override
    public byte[] evaluate(byte[] clientToken) {
        try {
            return switch (state) {
                case RECEIVE_CLIENT_FIRST -> first(clientToken);
                case RECEIVE_CLIENT_FINAL -> last(clientToken);
                default -> throw new SaslAuthenticationException("Unexpected SCRAM message in state " + state);
            };
        } catch (SaslAuthenticationException e) {
            state = State.FAILED;
            throw e;
        } catch (SaslException | InvalidKeyException | RuntimeException e) {
            state = State.FAILED;
            throw new SaslAuthenticationException("Authentication failed: invalid " + mechanism.mechanismName() + " message ("
                    + e.getMessage() + ")");
        }
    }

    private byte[] first(byte[] token) throws SaslException {
        clientFirst = new ClientFirstMessage(token);
        if (!clientFirst.extensions().map().isEmpty()) {
            throw new SaslAuthenticationException("Authentication failed: SCRAM extensions (delegation tokens) are not"
                    + " supported");
        }
        String user = ScramFormatter.username(clientFirst.saslName());
        String authzid = clientFirst.authorizationId();
        if (authzid != null && !authzid.isEmpty() && !authzid.equals(user)) {
            throw new SaslAuthenticationException("Authentication failed: Client requested an authorization id that is"
                    + " different from username");
        }
        credential = credentials.apply(user, mechanism);
        if (credential == null) {
            throw new SaslAuthenticationException("Authentication failed: Invalid user credentials");
        }
        if (credential.iterations() < mechanism.minIterations()) {
            throw new SaslAuthenticationException("Authentication failed: iterations of the stored credential are below "
                    + mechanism.minIterations());
        }
        username = user;
        serverFirst = new ServerFirstMessage(clientFirst.nonce(), formatter.secureRandomString(), credential.salt(),
                credential.iterations());
        state = State.RECEIVE_CLIENT_FINAL;
        return serverFirst.toBytes();
    }

    private byte[] last(byte[] token) throws SaslException, InvalidKeyException {
        ClientFinalMessage clientFinal = new ClientFinalMessage(token);
        // librdkafka repeats its own nonce in front of the server-first nonce (which already starts with it);
        // Kafka brokers accept that, and so does Weir: the proof below covers the message as sent
        if (!clientFinal.nonce().endsWith(serverFirst.nonce())) {
            throw new SaslAuthenticationException("Authentication failed: invalid nonce");
        }
        byte[] signature = formatter.clientSignature(credential.storedKey(), clientFirst, serverFirst, clientFinal);
        byte[] clientKey = ScramFormatter.xor(signature, clientFinal.proof());
        if (!MessageDigest.isEqual(formatter.hash(clientKey), credential.storedKey())) {
            throw new SaslAuthenticationException("Authentication failed: Invalid user credentials");
        }
        byte[] serverSignature = formatter.serverSignature(credential.serverKey(), clientFirst, serverFirst, clientFinal);
        state = State.COMPLETE;
        return new ServerFinalMessage(null, serverSignature).toBytes();
    }

    @Override
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    @Override
    public String username() {
        return username;
    }

    @Override
    public String mechanism() {
        return mechanism.mechanismName();
    }
}
