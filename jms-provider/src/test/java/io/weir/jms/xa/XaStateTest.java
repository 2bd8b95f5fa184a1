package io.weir.jms.xa;

import org.junit.jupiter.api.Test;

import javax.transaction.xa.XAException;

import static io.weir.jms.xa.XaState.ACTIVE;
import static io.weir.jms.xa.XaState.IDLE;
import static io.weir.jms.xa.XaState.PREPARED;
import static io.weir.jms.xa.XaState.ROLLBACK_ONLY;
import static io.weir.jms.xa.XaState.SUSPENDED;
import static javax.transaction.xa.XAResource.TMFAIL;
import static javax.transaction.xa.XAResource.TMJOIN;
import static javax.transaction.xa.XAResource.TMNOFLAGS;
import static javax.transaction.xa.XAResource.TMONEPHASE;
import static javax.transaction.xa.XAResource.TMRESUME;
import static javax.transaction.xa.XAResource.TMSUCCESS;
import static javax.transaction.xa.XAResource.TMSUSPEND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XaStateTest {

    @Test
    void theUsualLifeOfABranch() throws XAException {
        XaState s = XaState.start(null, TMNOFLAGS);
        assertThat(s).isEqualTo(ACTIVE);
        s = XaState.end(s, TMSUSPEND);
        assertThat(s).isEqualTo(SUSPENDED);
        s = XaState.start(s, TMRESUME);
        assertThat(s).isEqualTo(ACTIVE);
        s = XaState.end(s, TMSUCCESS);
        assertThat(s).isEqualTo(IDLE);
        s = XaState.start(s, TMJOIN);
        assertThat(XaState.start(s, TMJOIN)).as("a second session joins while the first works").isEqualTo(ACTIVE);
        s = XaState.end(s, TMSUCCESS);
        XaState.prepare(s);
        XaState.commit(IDLE, true);
        XaState.commit(PREPARED, false);
        XaState.rollback(PREPARED);
        XaState.rollback(IDLE);
        XaState.rollback(SUSPENDED);
        assertThat(XaState.end(SUSPENDED, TMSUCCESS)).isEqualTo(IDLE);
    }

    @Test
    void failureMarksRollbackOnly() throws XAException {
        assertThat(XaState.end(ACTIVE, TMFAIL)).isEqualTo(ROLLBACK_ONLY);
        assertThat(XaState.end(ROLLBACK_ONLY, TMSUCCESS)).isEqualTo(ROLLBACK_ONLY);
        code(() -> XaState.prepare(ROLLBACK_ONLY), XAException.XA_RBROLLBACK);
        code(() -> XaState.commit(ROLLBACK_ONLY, true), XAException.XA_RBROLLBACK);
        code(() -> XaState.start(ROLLBACK_ONLY, TMJOIN), XAException.XA_RBROLLBACK);
        XaState.rollback(ROLLBACK_ONLY);
    }

    @Test
    void protocolViolationsHaveTheirCodes() {
        code(() -> XaState.start(IDLE, TMNOFLAGS), XAException.XAER_DUPID);
        code(() -> XaState.start(null, TMJOIN), XAException.XAER_NOTA);
        code(() -> XaState.start(null, TMRESUME), XAException.XAER_NOTA);
        code(() -> XaState.start(IDLE, TMRESUME), XAException.XAER_PROTO);
        code(() -> XaState.start(PREPARED, TMJOIN), XAException.XAER_PROTO);
        code(() -> XaState.start(null, TMONEPHASE), XAException.XAER_INVAL);
        code(() -> XaState.end(null, TMSUCCESS), XAException.XAER_NOTA);
        code(() -> XaState.end(IDLE, TMSUCCESS), XAException.XAER_PROTO);
        code(() -> XaState.end(PREPARED, TMFAIL), XAException.XAER_PROTO);
        code(() -> XaState.end(SUSPENDED, TMSUSPEND), XAException.XAER_PROTO);
        code(() -> XaState.end(ACTIVE, TMJOIN), XAException.XAER_INVAL);
        code(() -> XaState.prepare(null), XAException.XAER_NOTA);
        code(() -> XaState.prepare(ACTIVE), XAException.XAER_PROTO);
        code(() -> XaState.prepare(PREPARED), XAException.XAER_PROTO);
        code(() -> XaState.commit(null, true), XAException.XAER_NOTA);
        code(() -> XaState.commit(IDLE, false), XAException.XAER_PROTO); // two-phase commit without prepare
        code(() -> XaState.commit(PREPARED, true), XAException.XAER_PROTO);
        code(() -> XaState.commit(ACTIVE, true), XAException.XAER_PROTO);
        code(() -> XaState.rollback(null), XAException.XAER_NOTA);
        code(() -> XaState.rollback(ACTIVE), XAException.XAER_PROTO);
    }

    private interface Call {
        void run() throws XAException;
    }

    private static void code(Call call, int expected) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(XAException.class,
                e -> assertThat(e.errorCode).as(e.getMessage()).isEqualTo(expected));
    }
}
