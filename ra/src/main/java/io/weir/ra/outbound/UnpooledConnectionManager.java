package io.weir.ra.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection manager of a factory used outside an application server (non-managed): each session gets a
 * new managed connection, destroyed when the session closes. No pool, no transactions.
 */
final class UnpooledConnectionManager implements ConnectionManager {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(UnpooledConnectionManager.class);

    @Override
    public Object allocateConnection(ManagedConnectionFactory mcf, ConnectionRequestInfo cri) throws ResourceException {
        ManagedConnection mc = mcf.createManagedConnection(null, cri);
        mc.addConnectionEventListener(new ConnectionEndListener(closed -> destroy(mc), failed -> destroy(mc)));
        return mc.getConnection(null, cri);
    }

    private static void destroy(ManagedConnection mc) {
        try {
            mc.destroy();
        } catch (ResourceException e) {
            log.debug("Destroying {}: {}", mc, e.getMessage());
        }
    }
}
