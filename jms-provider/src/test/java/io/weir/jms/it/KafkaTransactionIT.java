package io.weir.jms.it;

import io.weir.jms.WeirXAConnectionFactory;
import io.weir.jms.xa.XidKey;
import jakarta.jms.XAConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Transacted sessions on a real Apache Kafka 4.4 broker's transactions. */
class KafkaTransactionIT extends TransactionSuite {

    private static KafkaPeer kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaPeer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Override
    String bootstrap() {
        return kafka.bootstrapServers();
    }

    /**
     * XA needs two-phase commit, which Kafka 4.4 does not offer clients (InitProducerId v6 is an unstable version
     * there): starting a branch fails at once with XAER_RMFAIL naming the missing version.
     */
    @Test
    void xaStartFailsClearlyOnABrokerWithoutTwoPhaseCommit() throws Exception {
        WeirXAConnectionFactory f = new WeirXAConnectionFactory(kafka.bootstrapServers());
        try (XAConnection c = f.createXAConnection()) {
            XAResource r = c.createXASession().getXAResource();
            assertThatThrownBy(() -> r.start(new XidKey(1, new byte[]{1}, new byte[0]), XAResource.TMNOFLAGS))
                    .isInstanceOfSatisfying(XAException.class, e -> {
                        assertThat(e.errorCode).isEqualTo(XAException.XAER_RMFAIL);
                        assertThat(e.getMessage()).contains("INIT_PRODUCER_ID v6");
                    });
            assertThat(r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)).isEmpty();
        }
    }
}
