package io.weir.ra;

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

    private transient volatile BootstrapContext bootstrapContext;
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

    /** Crash recovery has nothing to recover: the adapter offers no XA yet (see README). */
    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
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

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
