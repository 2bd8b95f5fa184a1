package io.weir.ra;

import io.weir.jms.WeirXAConnectionFactory;
import io.weir.ra.inflow.WeirActivation;
import io.weir.ra.inflow.WeirActivationSpec;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.transaction.xa.XAResource;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resource adapter ({@code resourceadapter-class} in ra.xml). Its properties are the defaults of every
 * managed connection factory and activation spec that does not set its own: {@code bootstrapServers},
 * {@code clientId}, {@code userName}, {@code password}, {@code connectionParameters}. It owns the activations
 * of message endpoints, each delivering on the {@link BootstrapContext}'s {@code WorkManager}.
 *
 * <p>Thread-safety: configured by the server before {@link #start}; activation calls may then come from any
 * thread.
 */
public class WeirResourceAdapter implements ResourceAdapter, Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(WeirResourceAdapter.class);

    private String bootstrapServers;
    private String clientId;
    private String userName;
    private String password;
    private String connectionParameters;
    private String xaResourceId;

    private transient volatile BootstrapContext bootstrapContext;
    /** One provider XA factory (one resource manager) per settings and id, shared by outbound, inbound and recovery. */
    private final transient Map<XaKey, WeirXAConnectionFactory> xaFactories = new ConcurrentHashMap<>();
    private final transient Map<XaKey, RecoveryXAResource> recoveryResources = new ConcurrentHashMap<>();

    private record XaKey(ProviderSettings settings, String xaResourceId) {
    }
    private final transient Map<ActivationKey, WeirActivation> activations = new ConcurrentHashMap<>();

    /** One activation per endpoint factory and spec, as the JCA contract identifies them. */
    private record ActivationKey(MessageEndpointFactory factory, ActivationSpec spec) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ActivationKey k && k.factory == factory && k.spec == spec;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(factory) * 31 + System.identityHashCode(spec);
        }
    }

    @Override
    public void start(BootstrapContext ctx) throws ResourceAdapterInternalException {
        this.bootstrapContext = Objects.requireNonNull(ctx, "BootstrapContext");
        log.info("Weir resource adapter started (bootstrapServers={})", bootstrapServers);
    }

    @Override
    public void stop() {
        List<WeirActivation> all = new ArrayList<>(activations.values());
        activations.clear();
        for (WeirActivation a : all) {
            a.stop();
        }
        List<RecoveryXAResource> recovery = new ArrayList<>(recoveryResources.values());
        recoveryResources.clear();
        recovery.forEach(RecoveryXAResource::close);
        log.info("Weir resource adapter stopped");
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        if (!(spec instanceof WeirActivationSpec weirSpec)) {
            throw new NotSupportedException("Not a Weir activation spec: " + (spec == null ? null : spec.getClass().getName()));
        }
        BootstrapContext ctx = bootstrapContext;
        if (ctx == null) {
            throw new ResourceAdapterInternalException("The Weir resource adapter is not started");
        }
        if (weirSpec.getResourceAdapter() == null) {
            weirSpec.setResourceAdapter(this);
        }
        weirSpec.validate();
        WeirActivation activation = new WeirActivation(weirSpec, factory, ctx, defaults(), userName, password);
        activation.useAdapter(this);
        if (activations.putIfAbsent(new ActivationKey(factory, spec), activation) != null) {
            throw new ResourceException("This endpoint is already activated with this activation spec");
        }
        try {
            activation.start();
        } catch (ResourceException | RuntimeException e) {
            activations.remove(new ActivationKey(factory, spec));
            activation.stop();
            throw e;
        }
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        WeirActivation a = activations.remove(new ActivationKey(factory, spec));
        if (a != null) {
            a.stop();
        }
    }

    /**
     * The XAResources the server's recovery manager asks for after a restart: one per resource manager (brokers and
     * {@code xaResourceId}) among {@code specs}, and the adapter's own (its {@code bootstrapServers} and
     * {@code xaResourceId}, which the connection definitions that set neither share) when it has brokers configured.
     * Their {@code recover} lists the branches the brokers keep under that id; a spec whose settings are incomplete
     * is skipped (its activation failed). The resources stay open until the adapter stops.
     */
    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        Map<XaKey, RecoveryXAResource> wanted = new java.util.LinkedHashMap<>();
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            XaKey own = new XaKey(defaults(), effectiveXaResourceId());
            wanted.put(own, recoveryResource(own, userName, password));
        }
        for (ActivationSpec spec : specs == null ? new ActivationSpec[0] : specs) {
            if (spec instanceof WeirActivationSpec w) {
                ProviderSettings own = new ProviderSettings(w.getBootstrapServers(), w.getClientId(), w.getConnectionParameters());
                XaKey key = new XaKey(own.orElse(defaults()), XaResourceIds.orElse(w.getXaResourceId(), effectiveXaResourceId()));
                boolean ownUser = w.getUserName() != null && !w.getUserName().isBlank();
                try {
                    wanted.computeIfAbsent(key, k -> recoveryResource(k, ownUser ? w.getUserName() : userName,
                            ownUser ? w.getPassword() : password));
                } catch (IllegalArgumentException e) {
                    log.warn("Weir recovery: skipping activation spec {}: {}", w, e.getMessage());
                }
            }
        }
        return wanted.values().toArray(new XAResource[0]);
    }

    /**
     * The recovery XAResource of one resource manager (these settings and {@code xaResourceId}), made on first use with
     * these credentials and closed when the adapter stops. A managed connection's XAResource completes branches
     * through it once its connection was destroyed.
     *
     * @throws IllegalArgumentException if the settings are incomplete or malformed
     */
    public RecoveryXAResource recoveryResource(ProviderSettings settings, String xaResourceId, String user, String pass) {
        return recoveryResource(new XaKey(settings, xaResourceId), user, pass);
    }

    private RecoveryXAResource recoveryResource(XaKey key, String user, String pass) {
        return recoveryResources.computeIfAbsent(key, k -> new RecoveryXAResource(xaFactory(k.settings(), k.xaResourceId()), user, pass));
    }

    /**
     * The provider XA factory of one resource manager: the same instance for the same settings and id, so that the
     * adapter's XAResources of one resource manager are the same RM ({@code isSameRM}) and share the branches this
     * JVM knows.
     *
     * @throws IllegalArgumentException if the settings are incomplete or malformed
     */
    public WeirXAConnectionFactory xaFactory(ProviderSettings settings, String resourceId) {
        XaKey key = new XaKey(settings, resourceId);
        WeirXAConnectionFactory f = xaFactories.get(key);
        if (f == null) {
            f = xaFactories.computeIfAbsent(key, k -> k.settings().xaConnectionFactory(k.xaResourceId()));
        }
        return f;
    }

    /** The configured {@code xaResourceId}, else the server's default ({@link XaResourceIds#defaultId()}). */
    public String effectiveXaResourceId() {
        return XaResourceIds.orElse(xaResourceId, XaResourceIds.defaultId());
    }

    /** The provider settings this adapter gives to factories and specs that set none. */
    public ProviderSettings defaults() {
        return new ProviderSettings(bootstrapServers, clientId, connectionParameters);
    }

    /** The number of endpoints activated now (for monitoring and tests). */
    public int activationCount() {
        return activations.size();
    }

    /** Delivery sessions connected now, over every activation (for monitoring and tests). */
    public int connectedSessions() {
        return activations.values().stream().mapToInt(WeirActivation::connectedSessions).sum();
    }

    // ------------------------------------------------------------------ config properties

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getUserName() {
        return userName;
    }

    public void setUserName(String userName) {
        this.userName = userName;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public String getConnectionParameters() {
        return connectionParameters;
    }

    public void setConnectionParameters(String connectionParameters) {
        this.connectionParameters = connectionParameters;
    }

    public String getXaResourceId() {
        return xaResourceId;
    }

    public void setXaResourceId(String xaResourceId) {
        this.xaResourceId = xaResourceId;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
