package io.weir.jms;

import io.weir.jms.client.TwoPhaseBranch;
import io.weir.jms.client.TwoPhaseClient;
import io.weir.jms.xa.XaState;
import io.weir.jms.xa.XidKey;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static io.weir.jms.xa.XaState.error;

/**
 * The XAResource of one {@link WeirXASession}: drives the session's XA branches on Kafka transactions with two-phase
 * commit (see {@code TRANSACTIONS.md}, "XA").
 * <ul>
 *   <li>start/end associate the session with a branch ({@link XaState}: TMNOFLAGS, TMJOIN, TMRESUME; TMSUCCESS,
 *       TMFAIL, TMSUSPEND). While associated the session's sends and consumed positions go into the branch; end
 *       adds the positions to the Kafka transaction.</li>
 *   <li>prepare writes what was sent (acks=all) and answers XA_OK: the transaction is then Ongoing at the
 *       coordinator with two-phase commit on, durable and never timed out. A branch that did nothing answers
 *       XA_RDONLY. A failure aborts the branch: XA_RBROLLBACK (XA_RBCOMMFAIL when the brokers could not be
 *       reached, XA_RBTIMEOUT past {@link #setTransactionTimeout}).</li>
 *   <li>commit(onePhase=true) writes and commits in one step; two-phase commit/rollback end the prepared transaction;
 *       for a branch this JVM does not know (a restart), a new instance of its transactional id keeps the prepared
 *       transaction ({@code keep_prepared_txn}) and ends it; none found: XAER_NOTA. Brokers unreachable:
 *       XAER_RMFAIL (the transaction manager retries).</li>
 *   <li>recover lists the Ongoing transactions whose transactional ids are this resource manager's names
 *       ({@link io.weir.jms.xa.XidNames}), minus the branches still active in this JVM.</li>
 * </ul>
 * Heuristic outcomes are never reported, so forget only drops what the resource manager remembers. Thread-safe.
 */
public final class WeirXAResource implements XAResource {

    private static final Logger log = LoggerFactory.getLogger(WeirXAResource.class);

    private final WeirXASession session;
    private final WeirXAConnection connection;
    private final XaBranches branches;
    private final LongSupplier clock;
    private volatile int timeoutSeconds;

    WeirXAResource(WeirXASession session, WeirXAConnection connection, XaBranches branches, LongSupplier clock) {
        this.session = session;
        this.connection = connection;
        this.branches = branches;
        this.clock = clock;
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        XidKey key = key(xid);
        if (session.associated() != null) {
            throw error(XAException.XAER_PROTO, "The session is already associated with " + session.associated().xid);
        }
        if (session.isClosed()) {
            throw error(XAException.XAER_PROTO, "The session is closed");
        }
        if (flags == TMNOFLAGS) {
            XaBranch known = branches.get(key);
            XaState.start(known == null ? null : known.state, flags);
            XaBranch b = new XaBranch(key, new TwoPhaseBranch(client(), branches.names().transactionalId(key), clock),
                    connection, clock.getAsLong(), timeoutSeconds);
            try {
                b.kafka.begin();
            } catch (RuntimeException e) {
                throw failure(XAException.XAER_RMFAIL, "Beginning the Kafka transaction of " + key + " failed", e);
            }
            if (!branches.add(b)) {
                throw error(XAException.XAER_DUPID, "Branch " + key + " was started concurrently");
            }
            b.associated.add(session);
            session.associate(b);
            return;
        }
        XaBranch b = branches.get(key);
        if (b == null) {
            XaState.start(null, flags); // XAER_NOTA, or XAER_INVAL for bad flags
        }
        synchronized (b) {
            if (flags == TMRESUME && !b.suspended.contains(session)) {
                throw error(XAException.XAER_PROTO, "start(TMRESUME) of " + key + " by a session that did not suspend it");
            }
            XaState next = flags == TMRESUME && b.state == XaState.ACTIVE ? XaState.ACTIVE : XaState.start(b.state, flags);
            b.state = next;
            b.suspended.remove(session);
            b.associated.add(session);
            session.associate(b);
        }
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        XidKey key = key(xid);
        XaBranch b = branches.get(key);
        if (b == null) {
            throw error(XAException.XAER_NOTA, "end of unknown branch " + key);
        }
        synchronized (b) {
            boolean mine = b.associated.contains(session);
            if (!mine && !(b.suspended.contains(session) && flags != TMSUSPEND)) {
                throw error(XAException.XAER_PROTO, "Branch " + key + " is not associated with this session");
            }
            XaState current = mine || b.state != XaState.ACTIVE ? b.state : XaState.SUSPENDED;
            XaState next = XaState.end(current, flags);
            b.suspended.remove(session);
            if (mine) {
                session.dissociate();
                b.associated.remove(session);
                try {
                    b.addDelivered(session);
                } catch (RuntimeException e) {
                    log.warn("Adding the consumed positions to branch {} failed; it can only roll back", b, e);
                    b.state = XaState.ROLLBACK_ONLY;
                    throw failure(XAException.XA_RBROLLBACK, "Adding the consumed positions to " + key + " failed", e);
                }
            }
            if (next == XaState.SUSPENDED) {
                b.suspended.add(session);
            }
            if (b.state == XaState.ROLLBACK_ONLY || next == XaState.ROLLBACK_ONLY) {
                b.state = XaState.ROLLBACK_ONLY;
            } else if (!b.associated.isEmpty()) {
                b.state = XaState.ACTIVE; // other sessions still work in it
            } else {
                b.state = b.suspended.isEmpty() ? XaState.IDLE : XaState.SUSPENDED;
            }
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        XidKey key = key(xid);
        XaBranch b = branches.get(key);
        if (b == null) {
            throw error(XAException.XAER_NOTA, "prepare of unknown branch " + key);
        }
        synchronized (b) {
            try {
                XaState.prepare(b.state);
            } catch (XAException e) {
                if (e.errorCode == XAException.XA_RBROLLBACK) {
                    abort(b);
                }
                throw e;
            }
            if (b.timedOut(clock.getAsLong())) {
                abort(b);
                throw error(XAException.XA_RBTIMEOUT, "Branch " + key + " ran longer than " + b.timeoutSeconds + " s");
            }
            if (b.kafka.isEmpty()) {
                // nothing on the broker to commit; what non-group readers delivered counts as consumed
                branches.remove(b);
                b.finish(true);
                return XA_RDONLY;
            }
            try {
                b.kafka.flush();
            } catch (RuntimeException e) {
                abort(b);
                throw failure(communication(e) ? XAException.XA_RBCOMMFAIL : XAException.XA_RBROLLBACK,
                        "Preparing " + key + " failed; it was rolled back", e);
            }
            b.state = XaState.PREPARED;
            return XA_OK;
        }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        XidKey key = key(xid);
        XaBranch b = branches.get(key);
        if (b == null) {
            if (onePhase) {
                throw error(XAException.XAER_NOTA, "one-phase commit of unknown branch " + key);
            }
            completeUnknown(key, true);
            return;
        }
        synchronized (b) {
            try {
                XaState.commit(b.state, onePhase);
            } catch (XAException e) {
                if (e.errorCode == XAException.XA_RBROLLBACK) {
                    abort(b);
                }
                throw e;
            }
            if (onePhase) {
                if (b.timedOut(clock.getAsLong())) {
                    abort(b);
                    throw error(XAException.XA_RBTIMEOUT, "Branch " + key + " ran longer than " + b.timeoutSeconds + " s");
                }
                try {
                    b.kafka.flush();
                } catch (RuntimeException e) {
                    abort(b);
                    throw failure(XAException.XA_RBROLLBACK, "Writing the sends of " + key + " failed; it was rolled back", e);
                }
            }
            try {
                b.kafka.end(true);
            } catch (RuntimeException e) {
                if (communication(e)) {
                    throw failure(XAException.XAER_RMFAIL, "Committing " + key + " got no answer; retry", e);
                }
                // e.g. fenced: another instance recovered the branch; ask the coordinator what is left
                branches.remove(b);
                completeUnknown(key, true);
                b.finish(true);
                return;
            }
            branches.remove(b);
            b.finish(true);
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        XidKey key = key(xid);
        XaBranch b = branches.get(key);
        if (b == null) {
            completeUnknown(key, false);
            return;
        }
        synchronized (b) {
            XaState.rollback(b.state);
            try {
                b.kafka.end(false);
            } catch (RuntimeException e) {
                if (communication(e)) {
                    throw failure(XAException.XAER_RMFAIL, "Rolling back " + key + " got no answer; retry", e);
                }
                branches.remove(b);
                try {
                    completeUnknown(key, false);
                } catch (XAException notThere) {
                    log.debug("Branch {} had no prepared transaction left", key);
                }
            }
            branches.remove(b);
            b.finish(false);
        }
    }

    /** Ends the prepared transaction of a branch this JVM does not know, through a new instance of its id. */
    private void completeUnknown(XidKey key, boolean commit) throws XAException {
        String id = branches.names().transactionalId(key);
        boolean found;
        try {
            found = client().completePrepared(id, commit);
        } catch (RuntimeException e) {
            throw failure(communication(e) ? XAException.XAER_RMFAIL : XAException.XAER_RMERR,
                    (commit ? "Committing" : "Rolling back") + " recovered branch " + key + " failed", e);
        }
        if (!found) {
            throw error(XAException.XAER_NOTA, "No prepared transaction for " + key + " (" + id + ")");
        }
        log.info("{} recovered branch {} ({})", commit ? "Committed" : "Rolled back", key, id);
    }

    private void abort(XaBranch b) {
        branches.remove(b);
        try {
            b.kafka.end(false);
        } catch (RuntimeException e) {
            log.warn("Aborting branch {} failed; recover() will offer it again: {}", b, e.toString());
        }
        b.finish(false);
    }

    @Override
    public Xid[] recover(int flags) throws XAException {
        if (flags != TMNOFLAGS && (flags & ~(TMSTARTRSCAN | TMENDRSCAN)) != 0) {
            throw error(XAException.XAER_INVAL, "recover with flags " + flags);
        }
        if ((flags & TMSTARTRSCAN) == 0) {
            return new Xid[0]; // everything was returned by the scan's start
        }
        Collection<TransactionListing> listed;
        try {
            listed = connection.admin().listTransactions(new ListTransactionsOptions()
                    .filterStates(List.of(TransactionState.ONGOING))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw failure(XAException.XAER_RMFAIL, "Listing the open transactions failed", e);
        }
        List<Xid> found = new ArrayList<>();
        for (TransactionListing t : listed) {
            branches.names().xid(t.transactionalId()).filter(x -> !branches.isActiveHere(x)).ifPresent(found::add);
        }
        return found.toArray(new Xid[0]);
    }

    @Override
    public void forget(Xid xid) throws XAException {
        XidKey key = key(xid);
        XaBranch b = branches.get(key);
        if (b == null) {
            throw error(XAException.XAER_NOTA, "forget of unknown branch " + key + " (no heuristic outcome is kept)");
        }
        throw error(XAException.XAER_PROTO, "forget of branch " + key + " that completed no heuristic decision");
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other instanceof WeirXAResource o && o.branches == branches;
    }

    @Override
    public int getTransactionTimeout() {
        return timeoutSeconds;
    }

    /** The time a branch may take from start to prepare (or one-phase commit); 0 = no limit. Prepared ones never expire. */
    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        if (seconds < 0) {
            throw error(XAException.XAER_INVAL, "A transaction timeout must not be negative: " + seconds);
        }
        timeoutSeconds = seconds;
        return true;
    }

    private TwoPhaseClient client() throws XAException {
        if (connection.isClosed()) {
            throw error(XAException.XAER_RMFAIL, "The connection of this XAResource is closed");
        }
        return connection.twoPhase();
    }

    private static XidKey key(Xid xid) throws XAException {
        try {
            return XidKey.of(xid);
        } catch (IllegalArgumentException e) {
            throw error(XAException.XAER_INVAL, e.getMessage());
        }
    }

    private static boolean communication(RuntimeException e) {
        return e instanceof TwoPhaseClient.TwoPhaseException t && t.isCommunicationFailure();
    }

    private static XAException failure(int code, String message, Throwable cause) {
        XAException e = error(code, message + ": " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    @Override
    public String toString() {
        return "WeirXAResource(" + branches.names().resourceId() + ", " + session + ")";
    }
}
