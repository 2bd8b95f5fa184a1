package io.weir.ra;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * An adapter XAResource that stands for a provider one ({@code io.weir.jms.WeirXAResource}): {@code isSameRM} between
 * the adapter's resources (outbound, inbound, recovery) compares the provider resources behind them, so a transaction
 * manager joins work of one resource manager into one branch whichever side it came from.
 */
public interface ProviderXAResource extends XAResource {

    /** The provider resource this one delegates the resource manager's calls to. */
    XAResource provider() throws XAException;

    /** {@code isSameRM} of {@code mine} against {@code other}, looking through the adapter's wrappers. */
    static boolean sameRM(XAResource mine, XAResource other) throws XAException {
        XAResource o = other instanceof ProviderXAResource p ? p.provider() : other;
        return mine.isSameRM(o);
    }
}
