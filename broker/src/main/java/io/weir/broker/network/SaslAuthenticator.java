package io.weir.broker.network;

import io.weir.broker.common.Time;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * The SASL state of one connection on a SASL listener, as Kafka's broker keeps it:
 * <pre>
 * HANDSHAKE ──SaslHandshake(mechanism enabled)──▶ AUTHENTICATE ──tokens…──▶ AUTHENTICATED
 *     │ (ApiVersions allowed)                        │ refused                  │ SaslHandshake: re-authentication
 *     └──unknown mechanism / any other API──▶ closed ◀┘                          ▼ (same mechanism and principal)
 * </pre>
 * After SaslHandshake v0 the tokens come as raw size-prefixed frames (no request header), as the
 * oldest clients send them; after v1 inside SaslAuthenticate requests. A session lives
 * {@code connections.max.reauth.ms} (told to clients in SaslAuthenticate v1+); a request after that
 * closes the connection unless the client re-authenticated.
 *
 * <p>Pure decisions: returns the response and whether to close; the connection handler does the I/O.
 * Not thread-safe: confined to the connection's event loop.
 */
final class SaslAuthenticator {
    /** Kafka's {@code sasl.server.max.receive.size} default: the largest frame before authentication. */
    static final int MAX_RECEIVE_SIZE = 524_288;

    enum State { HANDSHAKE, AUTHENTICATE, AUTHENTICATED, CLOSED }

    /** What to answer and whether the connection ends after it ({@code failure} names why, for the log). */
    record Outcome(AbstractResponse response, byte[] rawToken, String failure) {
        boolean close() {
            return failure != null;
        }
    }

    private final SaslServerProvider settings;
    private final Time time;
    private State state = State.HANDSHAKE;
    private SaslMechanismServer server;
    private boolean rawTokens;
    private KafkaPrincipal principal;
    private String sessionMechanism;
    private long sessionExpiresAtMs = Long.MAX_VALUE;

    SaslAuthenticator(SaslServerProvider settings, Time time) {
        this.settings = settings;
        this.time = time;
    }

    State state() {
        return state;
    }

    /** Who authenticated, or null before the first success. */
    KafkaPrincipal principal() {
        return principal;
    }

    boolean expectsRawToken() {
        return state == State.AUTHENTICATE && rawTokens;
    }

    /** Whether the session has passed {@code connections.max.reauth.ms} without re-authentication. */
    boolean sessionExpired() {
        return principal != null && state != State.AUTHENTICATE && time.milliseconds() >= sessionExpiresAtMs;
    }

    /** The largest frame accepted now: small until authenticated, as Kafka bounds unauthenticated memory. */
    int maxReceiveSize(int authenticated) {
        return principal == null ? MAX_RECEIVE_SIZE : authenticated;
    }

    Outcome handshake(SaslHandshakeRequest request, short version) {
        String mechanism = request.data().mechanism();
        SaslHandshakeResponseData data = new SaslHandshakeResponseData()
                .setMechanisms(new ArrayList<>(settings.enabledMechanisms()));
        if (state != State.HANDSHAKE && state != State.AUTHENTICATED) {
            state = State.CLOSED;
            return new Outcome(new SaslHandshakeResponse(data.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())), null,
                    "SaslHandshake in state " + state);
        }
        SaslMechanismServer s = settings.newServer(mechanism);
        if (s == null) {
            state = State.CLOSED;
            return new Outcome(new SaslHandshakeResponse(data.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code())), null,
                    "unsupported SASL mechanism '" + mechanism + "' (enabled: " + settings.enabledMechanisms() + ")");
        }
        if (principal != null && !mechanism.equals(sessionMechanism)) {
            state = State.CLOSED;
            return new Outcome(new SaslHandshakeResponse(data.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())), null,
                    "re-authentication with " + mechanism + " instead of " + sessionMechanism);
        }
        server = s;
        rawTokens = version == 0;
        state = State.AUTHENTICATE;
        return new Outcome(new SaslHandshakeResponse(data.setErrorCode(Errors.NONE.code())), null, null);
    }

    Outcome authenticate(SaslAuthenticateRequest request, short version) {
        SaslAuthenticateResponseData data = new SaslAuthenticateResponseData().setAuthBytes(new byte[0]);
        if (state != State.AUTHENTICATE || rawTokens) {
            state = State.CLOSED;
            return new Outcome(new SaslAuthenticateResponse(data.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                    .setErrorMessage("SaslAuthenticate before a successful SaslHandshake")), null,
                    "SaslAuthenticate before a successful SaslHandshake");
        }
        try {
            byte[] answer = step(request.data().authBytes());
            data.setAuthBytes(answer).setErrorCode(Errors.NONE.code());
            if (state == State.AUTHENTICATED && version >= 1 && settings.maxReauthMs() > 0) {
                data.setSessionLifetimeMs(settings.maxReauthMs());
            }
            return new Outcome(new SaslAuthenticateResponse(data), null, null);
        } catch (SaslAuthenticationException e) {
            state = State.CLOSED;
            return new Outcome(new SaslAuthenticateResponse(data.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                    .setErrorMessage(e.getMessage())), null, server.mechanism() + " authentication failed: " + e.getMessage());
        }
    }

    /** A raw token after SaslHandshake v0: answered raw; a refusal simply closes, as the old protocol has no error. */
    Outcome rawToken(ByteBuffer frame) {
        byte[] token = new byte[frame.remaining()];
        frame.get(token);
        try {
            return new Outcome(null, step(token), null);
        } catch (SaslAuthenticationException e) {
            state = State.CLOSED;
            return new Outcome(null, null, server.mechanism() + " authentication failed: " + e.getMessage());
        }
    }

    private byte[] step(byte[] token) {
        byte[] answer = server.evaluate(token == null ? new byte[0] : token);
        if (server.isComplete()) {
            KafkaPrincipal authenticated = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, server.username());
            if (principal != null && !principal.equals(authenticated)) {
                throw new SaslAuthenticationException("Cannot change principals during re-authentication from " + principal
                        + " to " + authenticated);
            }
            principal = authenticated;
            sessionMechanism = server.mechanism();
            sessionExpiresAtMs = settings.maxReauthMs() > 0 ? time.milliseconds() + settings.maxReauthMs() : Long.MAX_VALUE;
            state = State.AUTHENTICATED;
            server = null;
        }
        return answer;
    }
}
