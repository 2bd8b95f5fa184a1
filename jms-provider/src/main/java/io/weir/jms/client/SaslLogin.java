package io.weir.jms.client;

import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Map;
import javax.security.sasl.SaslException;

/**
 * The client side of SASL on a {@link BrokerConnection}, as kafka-clients logs in: SaslHandshake v1 naming the
 * mechanism, then its tokens in SaslAuthenticate v2 requests (PLAIN: one token; SCRAM: client-first and client-final,
 * and the server's signature checked). A refusal is a {@link TwoPhaseClient.TwoPhaseException} with
 * {@code SASL_AUTHENTICATION_FAILED} or {@code UNSUPPORTED_SASL_MECHANISM}, which is not retried: a wrong password
 * stays wrong.
 */
final class SaslLogin {

    /** Sends one request of an exact version on the connection being opened and returns the answer. */
    interface Exchange {
        AbstractResponse send(ApiKeys key, short version, ApiMessage data) throws IOException;
    }

    private SaslLogin() {
    }

    static void login(WireSecurity security, Exchange exchange, String peer) throws IOException {
        SaslHandshakeResponse hs = (SaslHandshakeResponse) exchange.send(ApiKeys.SASL_HANDSHAKE, (short) 1,
                new SaslHandshakeRequestData().setMechanism(security.mechanism()));
        if (hs.error() != Errors.NONE) {
            throw new TwoPhaseClient.TwoPhaseException(Errors.UNSUPPORTED_SASL_MECHANISM, "The broker at " + peer
                    + " refused SASL mechanism " + security.mechanism() + " (" + hs.error() + "; it offers "
                    + hs.enabledMechanisms() + ")");
        }
        if (security.mechanism().equals("PLAIN")) {
            step(exchange, ("\u0000" + security.username() + "\u0000" + security.password()).getBytes(StandardCharsets.UTF_8),
                    security, peer);
            return;
        }
        ScramMechanism mechanism = ScramMechanism.forMechanismName(security.mechanism());
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            ClientFirstMessage first = new ClientFirstMessage(ScramFormatter.saslName(security.username()),
                    formatter.secureRandomString(), Map.of());
            ServerFirstMessage serverFirst = new ServerFirstMessage(step(exchange, first.toBytes(), security, peer));
            if (!serverFirst.nonce().startsWith(first.nonce())) {
                throw failed(peer, security, "the server's SCRAM nonce does not extend the client's");
            }
            byte[] salted = formatter.saltedPassword(security.password(), serverFirst.salt(), serverFirst.iterations());
            ClientFinalMessage last = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), serverFirst.nonce());
            last.proof(formatter.clientProof(salted, first, serverFirst, last));
            ServerFinalMessage serverFinal = new ServerFinalMessage(step(exchange, last.toBytes(), security, peer));
            byte[] expected = formatter.serverSignature(formatter.serverKey(salted), first, serverFirst, last);
            if (serverFinal.error() != null || !MessageDigest.isEqual(expected, serverFinal.serverSignature())) {
                throw failed(peer, security, "the server's SCRAM signature is wrong");
            }
        } catch (SaslException | GeneralSecurityException e) {
            throw failed(peer, security, e.getMessage());
        }
    }

    private static byte[] step(Exchange exchange, byte[] token, WireSecurity security, String peer) throws IOException {
        SaslAuthenticateResponse r = (SaslAuthenticateResponse) exchange.send(ApiKeys.SASL_AUTHENTICATE, (short) 2,
                new SaslAuthenticateRequestData().setAuthBytes(token));
        if (r.error() != Errors.NONE) {
            throw failed(peer, security, r.errorMessage());
        }
        return r.saslAuthBytes();
    }

    private static TwoPhaseClient.TwoPhaseException failed(String peer, WireSecurity security, String why) {
        return new TwoPhaseClient.TwoPhaseException(Errors.SASL_AUTHENTICATION_FAILED, "SASL " + security.mechanism()
                + " login as " + security.username() + " to " + peer + " failed: " + why);
    }
}
