package io.weir.ra.outbound;

import io.weir.jms.WeirConnection;
import io.weir.ra.ProviderClassLoader;
import io.weir.ra.ProviderSettings;
import io.weir.ra.WeirResourceAdapter;
import io.weir.ra.XaResourceIds;
import io.weir.jms.WeirXAConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.ResourceAllocationException;
import jakarta.resource.spi.SecurityException;
import jakarta.resource.spi.security.PasswordCredential;

import javax.security.auth.Subject;
import java.io.PrintWriter;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.Objects;
import java.util.Set;

/**
 * The outbound side's factory ({@code managedconnectionfactory-class} in ra.xml). Properties:
 * {@code bootstrapServers}, {@code clientId}, {@code userName}, {@code password}, {@code connectionParameters},
 * {@code xaResourceId}; each one left unset is taken from the resource adapter. The provider connections are XA
 * connections of the resource manager {@code xaResourceId}, so a managed connection offers both an XAResource and a
 * local transaction. Its managed connections are provider connections with
 * one session each, pooled by the server; the application sees them through {@link WeirRaConnectionFactory}.
 *
 * <p>Sign-on: with container-managed sign-on the server passes a {@code Subject} holding a
 * {@link PasswordCredential} for this factory; with component-managed sign-on the credentials given to
 * {@code createConnection(user, password)} arrive in the {@link WeirConnectionRequestInfo}; otherwise the
 * configured {@code userName}/{@code password} are used. They reach the provider's
 * {@code createConnection(user, password)}.
 *
 * <p>Thread-safety: configured before use, then thread-safe.
 */
public class WeirManagedConnectionFactory implements ManagedConnectionFactory, ResourceAdapterAssociation {

    private static final long serialVersionUID = 1L;

    private String bootstrapServers;
    private String clientId;
    private String userName;
    private String password;
    private String connectionParameters;
    private String xaResourceId;
    private transient ResourceAdapter resourceAdapter;
    private transient WeirXAConnectionFactory ownXaFactory; // guarded by this; without a Weir resource adapter
    private transient PrintWriter logWriter;

    @Override
    public Object createConnectionFactory(ConnectionManager cm) throws ResourceException {
        return new WeirRaConnectionFactory(this, cm);
    }

    /** Outside a server: connections are made and destroyed on demand, without a pool. */
    @Override
    public Object createConnectionFactory() throws ResourceException {
        return new WeirRaConnectionFactory(this, new UnpooledConnectionManager());
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo cri) throws ResourceException {
        Credentials credentials = credentials(subject, cri);
        ProviderSettings settings = providerSettings();
        WeirConnection connection;
        try {
            var factory = xaConnectionFactory();
            connection = (WeirConnection) ProviderClassLoader.call(
                    () -> factory.createXAConnection(credentials.userName(), credentials.password()));
        } catch (IllegalArgumentException e) {
            throw new InvalidPropertyException("Weir managed connection factory: " + e.getMessage());
        } catch (jakarta.jms.JMSSecurityException e) {
            SecurityException se = new SecurityException("Weir: the brokers refused user " + credentials.userName() + ": " + e.getMessage());
            se.initCause(e);
            throw se;
        } catch (JMSException e) {
            ResourceAllocationException rae = new ResourceAllocationException(
                    "Weir: cannot connect to " + settings.bootstrapServers() + ": " + e.getMessage());
            rae.initCause(e);
            throw rae;
        }
        return new WeirManagedConnection(this, connection, credentials);
    }

    /** The user and password a connection is made with (see the class comment for the order). */
    Credentials credentials(Subject subject, ConnectionRequestInfo cri) throws SecurityException {
        if (subject != null) {
            PasswordCredential pc = passwordCredential(subject);
            if (pc == null) {
                throw new SecurityException("Weir: the Subject holds no PasswordCredential for this connection factory");
            }
            return new Credentials(pc.getUserName(), new String(pc.getPassword()));
        }
        if (cri instanceof WeirConnectionRequestInfo w && w.userName() != null) {
            return new Credentials(w.userName(), w.password());
        }
        return new Credentials(effectiveUserName(), effectivePassword());
    }

    @SuppressWarnings("removal")
    private PasswordCredential passwordCredential(Subject subject) {
        return AccessController.doPrivileged((PrivilegedAction<PasswordCredential>) () -> {
            Set<PasswordCredential> creds = subject.getPrivateCredentials(PasswordCredential.class);
            for (PasswordCredential pc : creds) {
                if (pc.getManagedConnectionFactory() == null || this.equals(pc.getManagedConnectionFactory())) {
                    return pc;
                }
            }
            return null;
        });
    }

    /** Any idle connection made with the same credentials serves the request (sessions are per mode, made on demand). */
    @Override
    public ManagedConnection matchManagedConnections(@SuppressWarnings("rawtypes") Set candidates, Subject subject,
                                                     ConnectionRequestInfo cri) throws ResourceException {
        Credentials wanted = credentials(subject, cri);
        for (Object o : candidates) {
            if (o instanceof WeirManagedConnection mc && mc.factory().equals(this) && mc.credentials().equals(wanted)
                    && !mc.isDestroyed()) {
                return mc;
            }
        }
        return null;
    }

    /**
     * The provider XA factory the managed connections are made by: the resource adapter's for these settings and
     * {@code xaResourceId} (so that the adapter's XAResources of one resource manager are the same RM), or this
     * factory's own outside an adapter.
     *
     * @throws IllegalArgumentException if the settings are incomplete or malformed
     */
    public WeirXAConnectionFactory xaConnectionFactory() {
        if (resourceAdapter instanceof WeirResourceAdapter ra) {
            return ra.xaFactory(providerSettings(), effectiveXaResourceId());
        }
        synchronized (this) {
            if (ownXaFactory == null) {
                ownXaFactory = providerSettings().xaConnectionFactory(effectiveXaResourceId());
            }
            return ownXaFactory;
        }
    }

    /**
     * The resource adapter's recovery XAResource of this factory's resource manager, for completing branches of a
     * managed connection that was destroyed; null outside an adapter.
     */
    io.weir.ra.RecoveryXAResource recoveryResource(Credentials credentials) {
        if (resourceAdapter instanceof WeirResourceAdapter ra) {
            return ra.recoveryResource(providerSettings(), effectiveXaResourceId(), credentials.userName(),
                    credentials.password());
        }
        return null;
    }

    /** {@code xaResourceId} if set, else the resource adapter's (whose default is derived from the server). */
    public String effectiveXaResourceId() {
        if (xaResourceId != null && !xaResourceId.isBlank()) {
            return xaResourceId.trim();
        }
        return resourceAdapter instanceof WeirResourceAdapter ra ? ra.effectiveXaResourceId() : XaResourceIds.defaultId();
    }

    /** The provider settings: this factory's, unset ones taken from the resource adapter. */
    public ProviderSettings providerSettings() {
        ProviderSettings own = new ProviderSettings(bootstrapServers, clientId, connectionParameters);
        return resourceAdapter instanceof WeirResourceAdapter ra ? own.orElse(ra.defaults()) : own;
    }

    public String effectiveUserName() {
        if (userName != null && !userName.isBlank()) {
            return userName;
        }
        return resourceAdapter instanceof WeirResourceAdapter ra ? ra.getUserName() : null;
    }

    public String effectivePassword() {
        if (userName != null && !userName.isBlank()) {
            return password;
        }
        return resourceAdapter instanceof WeirResourceAdapter ra ? ra.getPassword() : null;
    }

    /** The credentials of one managed connection. */
    record Credentials(String userName, String password) {
        @Override
        public String toString() {
            return "Credentials(" + userName + ")";
        }
    }

    static int defaultSessionMode() {
        return Session.AUTO_ACKNOWLEDGE;
    }

    // ------------------------------------------------------------------ JCA plumbing

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) {
        this.resourceAdapter = ra;
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

    /** JCA requires value equality over the configuration: the server uses it to tell pools apart. */
    @Override
    public boolean equals(Object o) {
        return o instanceof WeirManagedConnectionFactory m && Objects.equals(bootstrapServers, m.bootstrapServers)
                && Objects.equals(clientId, m.clientId) && Objects.equals(userName, m.userName)
                && Objects.equals(password, m.password) && Objects.equals(connectionParameters, m.connectionParameters)
                && Objects.equals(xaResourceId, m.xaResourceId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bootstrapServers, clientId, userName, connectionParameters, xaResourceId);
    }

    @Override
    public String toString() {
        return "WeirManagedConnectionFactory(" + providerSettings().bootstrapServers() + ")";
    }
}
