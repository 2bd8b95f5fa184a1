package io.weir.jms.jndi;

import io.weir.jms.WeirConnectionFactory;
import io.weir.jms.WeirXAConnectionFactory;
import jakarta.jms.XAConnectionFactory;
import org.junit.jupiter.api.Test;

import javax.naming.ConfigurationException;
import javax.naming.Context;
import java.util.Hashtable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XaJndiTest {

    @Test
    void xaConnectionFactoryEntriesMakeXaFactoriesWithTheirResourceId() throws Exception {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("xaConnectionFactory.XA", "localhost:9092?xaResourceId=orders-node1&transactionalIdPrefix=orders");
        env.put("connectionFactory.CF", "localhost:9092");
        Context ctx = new WeirInitialContextFactory().getInitialContext(env);
        Object xa = ctx.lookup("XA");
        assertThat(xa).isInstanceOf(XAConnectionFactory.class);
        assertThat(((WeirXAConnectionFactory) xa).getXaResourceId()).isEqualTo("orders-node1");
        assertThat(((WeirXAConnectionFactory) xa).getTransactionalIdPrefix()).isEqualTo("orders");
        assertThat(ctx.lookup("CF")).isExactlyInstanceOf(WeirConnectionFactory.class);
        assertThat(new WeirXAConnectionFactory("localhost:9092").getXaResourceId()).isEqualTo("weir-xa");
    }

    @Test
    void aBlankResourceIdIsRefused() {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("xaConnectionFactory.XA", "localhost:9092?xaResourceId=%20");
        assertThatThrownBy(() -> new WeirInitialContextFactory().getInitialContext(env))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("xaResourceId");
    }
}
