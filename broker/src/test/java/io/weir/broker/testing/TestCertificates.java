package io.weir.broker.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test keystores made with the JDK's {@code keytool}: a self-signed broker certificate for
 * {@code CN=localhost} (SAN 127.0.0.1 and localhost) and a self-signed client certificate for
 * {@code CN=alice,OU=test}, each trusted by the other side's truststore. PKCS12, password {@value #PASSWORD}.
 */
public final class TestCertificates {
    public static final String PASSWORD = "test-secret";

    public final Path brokerKeystore;
    public final Path brokerTruststore;
    public final Path clientKeystore;
    public final Path clientTruststore;

    private TestCertificates(Path dir) {
        brokerKeystore = dir.resolve("broker.p12");
        brokerTruststore = dir.resolve("broker-trust.p12");
        clientKeystore = dir.resolve("client.p12");
        clientTruststore = dir.resolve("client-trust.p12");
    }

    /** Creates the four stores in {@code dir}. */
    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates c = new TestCertificates(dir);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        keytool(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", c.brokerKeystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool(keytool, "-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=alice,OU=test", "-storetype", "PKCS12",
                "-keystore", c.clientKeystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path brokerCert = dir.resolve("broker.crt");
        Path clientCert = dir.resolve("client.crt");
        keytool(keytool, "-exportcert", "-alias", "broker", "-keystore", c.brokerKeystore.toString(), "-storepass", PASSWORD,
                "-file", brokerCert.toString());
        keytool(keytool, "-exportcert", "-alias", "client", "-keystore", c.clientKeystore.toString(), "-storepass", PASSWORD,
                "-file", clientCert.toString());
        keytool(keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", brokerCert.toString(), "-storetype", "PKCS12",
                "-keystore", c.clientTruststore.toString(), "-storepass", PASSWORD);
        keytool(keytool, "-importcert", "-noprompt", "-alias", "client", "-file", clientCert.toString(), "-storetype", "PKCS12",
                "-keystore", c.brokerTruststore.toString(), "-storepass", PASSWORD);
        return c;
    }

    private static void keytool(Path keytool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(keytool.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
