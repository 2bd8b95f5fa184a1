package io.weir.ra.it.payara;

import io.weir.ra.it.support.WeirBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Payara domain the tests run in, set up once per run as an operator would with {@code asadmin}: a new domain
 * {@value #DOMAIN} (in {@code weir.it.payara.domains}) on a free port base, started; the {@code .rar} deployed as
 * {@value #ADAPTER}, then {@code payara/weir-ra.asadmin} (the adapter's configuration with the broker's address, the
 * connection pool and the factory {@code jms/weir/ConnectionFactory}: ra/README.md's steps) and
 * {@code payara/weir-it-destinations.asadmin} (the application's admin objects) run with {@code asadmin multimode}.
 * The admin port is published as {@value #ADMIN_PORT_PROPERTY} for arquillian.xml. The domain is stopped when the
 * whole run ends (JUnit's root store; a JVM shutdown hook if the run is cut short).
 *
 * <p>Register it after {@link WeirBroker} (the broker's address goes into the configuration) and before
 * {@code ArquillianExtension} (which reads the admin port and then only deploys applications).
 */
public final class PayaraDomain implements BeforeAllCallback {

    public static final String ADMIN_PORT_PROPERTY = "weir.it.payara.adminPort";
    public static final String DOMAIN = "weir-it";
    /** The adapter's application name: what connection pools, admin objects and MDBs name. */
    public static final String ADAPTER = "weir-ra";

    /** Payara's port offsets from the base reach +86 (JMX); the whole block of 100 must be free. */
    private static final int PORTS_PER_BASE = 100;
    private static final int ADMIN_OFFSET = 48;
    private static final int HTTP_OFFSET = 80;
    private static final int BASES_TRIED = 20;

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext.Store root = context.getRoot().getStore(ExtensionContext.Namespace.create(PayaraDomain.class));
        root.getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class);
    }

    /** The running domain's {@code server.log}. */
    public static Path serverLog() {
        return domains().resolve(DOMAIN).resolve("logs/server.log");
    }

    /**
     * Everything the domain logged this run: the files Payara rotated away ({@code server.log_<time>}, each when it
     * reached 2 MB), oldest first, then the current {@code server.log}.
     */
    public static String serverLogText() throws IOException {
        Path logs = serverLog().getParent();
        List<Path> rotated;
        try (Stream<Path> files = Files.list(logs)) {
            rotated = files.filter(f -> f.getFileName().toString().startsWith("server.log_")).sorted().toList();
        }
        StringBuilder text = new StringBuilder();
        for (Path f : rotated) {
            text.append(Files.readString(f, StandardCharsets.UTF_8));
        }
        return text.append(Files.readString(serverLog(), StandardCharsets.UTF_8)).toString();
    }

    /**
     * Runs one {@code asadmin} command against the running domain's administration server (its output is also in
     * {@code asadmin-output/}).
     *
     * @return its output
     * @throws IllegalStateException if it fails
     */
    static String admin(String... args) {
        return asadmin().remote(Integer.parseInt(required(ADMIN_PORT_PROPERTY))).run(args);
    }

    /**
     * Restarts the running domain as an operator would ({@code asadmin restart-domain}): the server JVM stops, a new
     * one starts and deploys the adapter and the applications again from the domain's configuration. Returns once the
     * new server answers on its admin port.
     */
    static void restart() {
        asadmin().run("restart-domain", "--domaindir", domains().toString(), DOMAIN);
    }

    /** The base URL of an application deployed with context root {@code contextRoot}, on the domain's HTTP listener. */
    static URL http(String contextRoot) {
        int base = Integer.parseInt(required(ADMIN_PORT_PROPERTY)) - ADMIN_OFFSET;
        try {
            return URI.create("http://127.0.0.1:" + (base + HTTP_OFFSET) + "/" + contextRoot + "/").toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(contextRoot, e);
        }
    }

    /** The process id of the running server JVM (the domain's {@code config/pid}). */
    static long serverPid() throws IOException {
        return Long.parseLong(Files.readString(domains().resolve(DOMAIN).resolve("config/pid"),
                StandardCharsets.UTF_8).trim());
    }

    /**
     * Turns on the transaction service's recovery at start ({@code automatic-recovery}, false by default) in the
     * stopped domain's {@code domain.xml}, as {@code asadmin set
     * configs.config.server-config.transaction-service.automatic-recovery=true} would on a running one.
     */
    static void enableAutomaticRecovery() throws IOException {
        Path domainXml = domains().resolve(DOMAIN).resolve("config/domain.xml");
        String xml = Files.readString(domainXml, StandardCharsets.UTF_8);
        int config = xml.indexOf("<config name=\"server-config\">");
        int service = xml.indexOf("<transaction-service ", config);
        if (config < 0 || service < 0) {
            throw new IllegalStateException("No server-config transaction-service in " + domainXml);
        }
        int at = service + "<transaction-service ".length();
        Files.writeString(domainXml, xml.substring(0, at) + "automatic-recovery=\"true\" " + xml.substring(at),
                StandardCharsets.UTF_8);
    }

    /** Starts the domain again after its server JVM died ({@code asadmin start-domain}, as after a crash). */
    static void startAgain() {
        asadmin().run("start-domain", "--domaindir", domains().toString(), DOMAIN);
    }

    private static Asadmin asadmin() {
        return Asadmin.local(Path.of(required("weir.it.payara.home")), domains().resolve("asadmin-output"));
    }

    private static Path domains() {
        return Path.of(required("weir.it.payara.domains"));
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is not set (ra-it-payara/pom.xml sets it)");
        }
        return value;
    }

    /** The started domain, stopped by JUnit at the end of the run. */
    static final class Running implements ExtensionContext.Store.CloseableResource {
        private final Asadmin asadmin;
        private final Thread shutdownHook;
        private boolean stopped;

        private Running(Asadmin asadmin) {
            this.asadmin = asadmin;
            this.shutdownHook = new Thread(this::stop, "payara-domain-stop");
        }

        static Running start() {
            Path rar = Path.of(required("weir.it.rar"));
            Asadmin asadmin = asadmin();
            int base = freePortBase(Integer.parseInt(required("weir.it.payara.portBase")));
            asadmin.run("create-domain", "--portbase", String.valueOf(base), "--nopassword=true",
                    "--domaindir", domains().toString(), DOMAIN);
            Running running = new Running(asadmin);
            Runtime.getRuntime().addShutdownHook(running.shutdownHook);
            try {
                asadmin.run("start-domain", "--domaindir", domains().toString(), DOMAIN);
                int adminPort = base + ADMIN_OFFSET;
                Asadmin admin = asadmin.remote(adminPort);
                if (Boolean.getBoolean("weir.it.debug")) {
                    // every delivery, commit and rewind of the adapter and the provider, in server.log
                    admin.run("set-log-levels", "io.weir.ra=FINE:io.weir.jms=FINE");
                }
                admin.run("deploy", "--name", ADAPTER, rar.toString());
                admin.run("multimode", "--file", script("payara/weir-ra.asadmin").toString());
                admin.run("multimode", "--file", script("payara/weir-it-destinations.asadmin").toString());
                System.setProperty(ADMIN_PORT_PROPERTY, String.valueOf(adminPort));
                return running;
            } catch (RuntimeException e) {
                running.close();
                throw e;
            }
        }

        @Override
        public void close() {
            stop();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs (and finds the domain stopped)
            }
        }

        private synchronized void stop() {
            if (!stopped) {
                stopped = true;
                System.clearProperty(ADMIN_PORT_PROPERTY);
                asadmin.run("stop-domain", "--domaindir", domains().toString(), DOMAIN);
            }
        }
    }

    /**
     * A classpath script with {@code ${weir.bootstrap.servers}} replaced by the broker's address, written next to the
     * domain for multimode. asadmin's property syntax wants each colon of a value escaped ({@code \:}), and multimode
     * reads a backslash as an escape of its own: {@code \\:} in the file (a shell wants the same, or quotes).
     */
    private static Path script(String resource) {
        try (InputStream in = PayaraDomain.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("No " + resource + " on the test classpath");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("${weir.bootstrap.servers}", WeirBroker.bootstrapServers().replace(":", "\\\\:"));
            Path file = domains().resolve(Path.of(resource).getFileName());
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare " + resource, e);
        }
    }

    /** {@code preferred} if its block of ports is free on loopback and on all interfaces, else the next free one. */
    private static int freePortBase(int preferred) {
        for (int i = 0; i < BASES_TRIED; i++) {
            int base = preferred + i * PORTS_PER_BASE;
            if (blockFree(base)) {
                return base;
            }
        }
        throw new IllegalStateException("No free block of " + PORTS_PER_BASE + " ports from " + preferred + " to "
                + (preferred + BASES_TRIED * PORTS_PER_BASE) + " for the Payara domain");
    }

    private static boolean blockFree(int base) {
        for (int port = base; port < base + PORTS_PER_BASE; port++) {
            if (!free(port)) {
                return false;
            }
        }
        return true;
    }

    /** Bindable on all interfaces, then on loopback (one at a time). */
    private static boolean free(int port) {
        try (ServerSocket any = new ServerSocket(port)) {
            // free on all interfaces
        } catch (IOException e) {
            return false;
        }
        try (ServerSocket loopback = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
