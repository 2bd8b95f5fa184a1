package io.weir.broker.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

/**
 * The client side of SASL on a {@link BrokerClient} connection: SaslHandshake v1, then the mechanism's
 * tokens in SaslAuthenticate v2 requests (PLAIN: one token; SCRAM: client-first, client-final, and the
 * server signature checked). A refusal is an {@link IOException} naming the mechanism and the broker's
 * message, so the caller's retry logic treats it as a failed connection.
 */
final class BrokerClientLogin {

    interface Exchange {
        SaslHandshakeResponse handshake(SaslHandshakeRequest request) throws IOException;

        SaslAuthenticateResponse authenticate(SaslAuthenticateRequest request) throws IOException;
    }

    private BrokerClientLogin() {
    }

    static void login(InterBrokerSecurity security, Exchange exchange, String peer) throws IOException {
        SaslHandshakeResponse hs = exchange.handshake(new SaslHandshakeRequest.Builder(
                new SaslHandshakeRequestData().setMechanism(security.mechanism())).build((short) 1));
        if (hs.error() != Errors.NONE) {
            throw new IOException("Broker " + peer + " refused SASL mechanism " + security.mechanism() + " (" + hs.error()
                    + ", enabled: " + hs.enabledMechanisms() + ")");
        }
        if (security.mechanism().equals("PLAIN")) {
            step(exchange, ("\u0000" + security.username() + "\u0000" + security.password()).getBytes(StandardCharsets.UTF_8),
                    security, peer);
            return;
        }
        ScramMechanism mechanism = ScramMechanism.forMechanismName(security.mechanism());
        if (mechanism == null) {
            throw new IOException("Unsupported inter-broker SASL mechanism " + security.mechanism());
        }
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            ClientFirstMessage first = new ClientFirstMessage(ScramFormatter.saslName(security.username()),
                    formatter.secureRandomString(), java.util.Map.of());
            ServerFirstMessage serverFirst = new ServerFirstMessage(step(exchange, first.toBytes(), security, peer));
            if (!serverFirst.nonce().startsWith(first.nonce())) {
                throw new IOException("Broker " + peer + " answered SCRAM with a nonce that does not extend ours");
            }
            byte[] salted = formatter.saltedPassword(security.password(), serverFirst.salt(), serverFirst.iterations());
            ClientFinalMessage last = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), serverFirst.nonce());
            last.proof(formatter.clientProof(salted, first, serverFirst, last));
            ServerFinalMessage serverFinal = new ServerFinalMessage(step(exchange, last.toBytes(), security, peer));
            byte[] expected = formatter.serverSignature(formatter.serverKey(salted), first, serverFirst, last);
            if (serverFinal.error() != null || !MessageDigest.isEqual(expected, serverFinal.serverSignature())) {
                throw new IOException("Broker " + peer + " failed SCRAM server verification");
            }
        } catch (SaslException | GeneralSecurityException e) {
            throw new IOException("SCRAM login to " + peer + " failed: " + e.getMessage(), e);
        }
    }

    private static byte[] step(Exchange exchange, byte[] token, InterBrokerSecurity security, String peer) throws IOException {
        SaslAuthenticateResponse r = exchange.authenticate(new SaslAuthenticateRequest.Builder(
                new SaslAuthenticateRequestData().setAuthBytes(token)).build((short) 2));
        if (r.error() != Errors.NONE) {
            throw new IOException("Broker " + peer + " refused " + security.mechanism() + " login as " + security.username() + ": "
                    + r.errorMessage());
        }
        return r.saslAuthBytes();
    }
}
