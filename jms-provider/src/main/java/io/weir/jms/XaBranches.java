package io.weir.jms;

import io.weir.jms.xa.XidKey;
import io.weir.jms.xa.XidNames;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The branches one resource manager (one {@link WeirXAConnectionFactory}) knows in this JVM, by Xid. Every
 * XAResource of the factory's connections shares it, so a branch started on one resource can be joined, prepared
 * and committed through another ({@code isSameRM}). Thread-safe.
 */
final class XaBranches {

    private final Map<XidKey, XaBranch> branches = new ConcurrentHashMap<>();
    private final XidNames names;

    XaBranches(XidNames names) {
        this.names = names;
    }

    XidNames names() {
        return names;
    }

    XaBranch get(XidKey xid) {
        return branches.get(xid);
    }

    /** Adds {@code b}; false when its Xid is known already. */
    boolean add(XaBranch b) {
        return branches.putIfAbsent(b.xid, b) == null;
    }

    void remove(XaBranch b) {
        branches.remove(b.xid, b);
    }

    List<XaBranch> ownedBy(WeirXAConnection c) {
        return branches.values().stream().filter(b -> b.owner == c).toList();
    }

    /** Whether {@code xid} is a branch of this JVM that is not prepared (recover must not offer it). */
    boolean isActiveHere(XidKey xid) {
        XaBranch b = branches.get(xid);
        return b != null && b.state != io.weir.jms.xa.XaState.PREPARED;
    }
}
