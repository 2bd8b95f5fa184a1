package io.weir.jms.xa;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * The states of an XA branch in this resource manager (X/Open XA, "branch association" and "branch states"), and the
 * transitions the XAResource calls are allowed to make. Pure: each method returns the next state or throws the
 * XAException the contract names. {@code null} is "the resource manager does not know the Xid".
 */
public enum XaState {
    /** associated with one or more sessions (start; TMJOIN adds one) */
    ACTIVE,
    /** end(TMSUSPEND): may be resumed */
    SUSPENDED,
    /** end(TMSUCCESS): may be joined, prepared or committed in one phase */
    IDLE,
    /** end(TMFAIL), or a failure while active: can only be rolled back */
    ROLLBACK_ONLY,
    /** prepare returned XA_OK: durable, waits for commit or rollback */
    PREPARED;

    public static XaState start(XaState current, int flags) throws XAException {
        switch (flags) {
            case XAResource.TMNOFLAGS -> {
                if (current != null) {
                    throw error(XAException.XAER_DUPID, "start(TMNOFLAGS) of a branch the resource manager knows (" + current + ")");
                }
                return ACTIVE;
            }
            case XAResource.TMJOIN -> {
                if (current == null) {
                    throw error(XAException.XAER_NOTA, "start(TMJOIN) of an unknown branch");
                }
                if (current == ROLLBACK_ONLY) {
                    throw error(XAException.XA_RBROLLBACK, "start(TMJOIN) of a branch marked rollback-only");
                }
                if (current != IDLE && current != ACTIVE) { // ACTIVE: another thread of control works in it too
                    throw error(XAException.XAER_PROTO, "start(TMJOIN) of a branch that is " + current);
                }
                return ACTIVE;
            }
            case XAResource.TMRESUME -> {
                if (current == null) {
                    throw error(XAException.XAER_NOTA, "start(TMRESUME) of an unknown branch");
                }
                if (current != SUSPENDED) {
                    throw error(XAException.XAER_PROTO, "start(TMRESUME) of a branch that is " + current);
                }
                return ACTIVE;
            }
            default -> throw error(XAException.XAER_INVAL, "start with flags " + flags);
        }
    }

    public static XaState end(XaState current, int flags) throws XAException {
        if (current == null) {
            throw error(XAException.XAER_NOTA, "end of an unknown branch");
        }
        switch (flags) {
            case XAResource.TMSUCCESS, XAResource.TMFAIL -> {
                if (current != ACTIVE && current != SUSPENDED && current != ROLLBACK_ONLY) {
                    throw error(XAException.XAER_PROTO, "end of a branch that is " + current);
                }
                return flags == XAResource.TMFAIL || current == ROLLBACK_ONLY ? ROLLBACK_ONLY : IDLE;
            }
            case XAResource.TMSUSPEND -> {
                if (current != ACTIVE) {
                    throw error(XAException.XAER_PROTO, "end(TMSUSPEND) of a branch that is " + current);
                }
                return SUSPENDED;
            }
            default -> throw error(XAException.XAER_INVAL, "end with flags " + flags);
        }
    }

    /** prepare: only an ended branch; a rollback-only one answers XA_RBROLLBACK (the caller rolls it back). */
    public static void prepare(XaState current) throws XAException {
        if (current == null) {
            throw error(XAException.XAER_NOTA, "prepare of an unknown branch");
        }
        if (current == ROLLBACK_ONLY) {
            throw error(XAException.XA_RBROLLBACK, "prepare of a branch marked rollback-only");
        }
        if (current != IDLE) {
            throw error(XAException.XAER_PROTO, "prepare of a branch that is " + current);
        }
    }

    /**
     * commit of a known branch: one phase from IDLE, two phases from PREPARED. (An unknown branch is looked for on
     * the broker by the caller when two-phase.)
     */
    public static void commit(XaState current, boolean onePhase) throws XAException {
        if (current == null) {
            throw error(XAException.XAER_NOTA, "commit of an unknown branch");
        }
        if (onePhase && current == ROLLBACK_ONLY) {
            throw error(XAException.XA_RBROLLBACK, "one-phase commit of a branch marked rollback-only");
        }
        if (onePhase ? current != IDLE : current != PREPARED) {
            throw error(XAException.XAER_PROTO, (onePhase ? "one-phase" : "two-phase") + " commit of a branch that is " + current);
        }
    }

    /** rollback of a known branch: any state but associated with a session. */
    public static void rollback(XaState current) throws XAException {
        if (current == null) {
            throw error(XAException.XAER_NOTA, "rollback of an unknown branch");
        }
        if (current == ACTIVE) {
            throw error(XAException.XAER_PROTO, "rollback of a branch still associated (end it first)");
        }
    }

    public static XAException error(int code, String message) {
        XAException e = new XAException(message);
        e.errorCode = code;
        return e;
    }
}
