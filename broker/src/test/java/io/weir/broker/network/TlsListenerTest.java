package io.weir.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.weir.broker.common.Time;
import io.weir.broker.testing.TestCertificates;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TLS listener over real loopback sockets: the principal from the client certificate, and clients that are not TLS. */
class TlsListenerTest {
    private static final LogCapture LOGS = LogCapture.install();

    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static FakeProcessor processor;
    private static SocketServer server;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create(dir);
        Map<String, String> props = new HashMap<>();
        props.put("listener.name.ssl.ssl.keystore.location", certs.brokerKeystore.toString());
        props.put("ssl.keystore.password", TestCertificates.PASSWORD);
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.truststore.location", certs.brokerTruststore.toString());
        props.put("ssl.truststore.password", TestCertificates.PASSWORD);
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.client.auth", "requested");
        processor = FakeProcessor.answeringSamples();
        server = new SocketServer(new Listener("SSL", SecurityProtocol.SSL, "127.0.0.1", 0), TlsContexts.server(props, "SSL"), null,
                Time.SYSTEM, 1 << 20, 60_000, 1, processor);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static SSLContext clientContext(boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(certs.clientTruststore.toFile())) {
            trust.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCertificate) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(certs.clientKeystore.toFile())) {
                keys.load(in, TestCertificates.PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, TestCertificates.PASSWORD.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static RequestContext apiVersionsOver(SSLSocket socket, int correlationId) throws Exception {
        RequestHeader h = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "tls", correlationId);
        ByteBuffer frame = ProtocolSamples.frame(h, ProtocolSamples.request(ApiKeys.API_VERSIONS, (short) 3));
        OutputStream out = socket.getOutputStream();
        out.write(frame.array(), frame.arrayOffset(), frame.remaining());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        assertThat(ByteBuffer.wrap(response).getInt()).as("correlation id").isEqualTo(correlationId);
        return processor.received.stream().filter(r -> r.header().correlationId() == correlationId).findFirst().orElseThrow();
    }

    @Test
    void thePrincipalIsTheClientCertificateSubject() throws Exception {
        try (SSLSocket socket = (SSLSocket) clientContext(true).getSocketFactory().createSocket("127.0.0.1", server.port())) {
            RequestContext rc = apiVersionsOver(socket, 4711);
            assertThat(rc.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "CN=alice,OU=test"));
            assertThat(rc.securityProtocol()).isEqualTo(SecurityProtocol.SSL);
            assertThat(rc.listenerName()).isEqualTo("SSL");
        }
    }

    @Test
    void withoutAClientCertificateThePrincipalIsAnonymous() throws Exception {
        try (SSLSocket socket = (SSLSocket) clientContext(false).getSocketFactory().createSocket("127.0.0.1", server.port())) {
            assertThat(apiVersionsOver(socket, 4712).principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
        }
    }

    @Test
    void aPlaintextClientOnTheTlsPortIsClosedWithOneLogLine() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            socket.setSoTimeout(10_000);
            RequestHeader h = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "plain", 1);
            ByteBuffer frame = ProtocolSamples.frame(h, ProtocolSamples.request(ApiKeys.API_VERSIONS, (short) 3));
            socket.getOutputStream().write(frame.array(), frame.arrayOffset(), frame.remaining());
            socket.getOutputStream().flush();
            int read;
            try {
                read = socket.getInputStream().read(new byte[512]);
                while (read > 0) { // a TLS alert may come first
                    read = socket.getInputStream().read(new byte[512]);
                }
            } catch (java.net.SocketException e) {
                read = -1; // reset
            }
            assertThat(read).isEqualTo(-1);
            String marker = "from " + socket.getLocalSocketAddress() + ": ";
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(LOGS.linesContaining(marker)).singleElement()
                    .asString().contains("WARN").contains("not a TLS record"));
        }
    }
}
