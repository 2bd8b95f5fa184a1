package io.weir.broker.network;

import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * The principal of a TLS connection, as Kafka's default principal builder names it: {@code User:} and the
 * client certificate's subject in RFC 2253 form ({@code User:CN=alice,OU=eng}); anonymous without a
 * client certificate.
 */
final class TlsPrincipal {
    private TlsPrincipal() {
    }

    static KafkaPrincipal of(SslHandler ssl) {
        if (ssl == null) {
            return KafkaPrincipal.ANONYMOUS;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate x509) {
                return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, x509.getSubjectX500Principal().getName());
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate (ssl.client.auth=none or requested and not given)
        }
        return KafkaPrincipal.ANONYMOUS;
    }
}
