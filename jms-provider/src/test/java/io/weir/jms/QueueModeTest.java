package io.weir.jms;

import io.weir.jms.jndi.WeirInitialContextFactory;
import org.junit.jupiter.api.Test;

import javax.naming.ConfigurationException;
import javax.naming.Context;
import javax.naming.InitialContext;
import java.util.Hashtable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueueModeTest {

    @Test
    void theFactorySettingsComeFromCodeAndFromJndi() throws Exception {
        WeirConnectionFactory f = new WeirConnectionFactory("h:1");
        assertThat(f.getQueueMode()).isEqualTo(QueueMode.DEFAULT).isEqualTo(QueueMode.AUTO);
        f.setProperty("queueMode", "Share");
        f.setProperty("maxDeliveryAttempts", "3");
        f.setProperty("deadLetterQueue", "orders.DLQ");
        assertThat(f.getQueueMode()).isEqualTo(QueueMode.SHARE);
        assertThat(f.getMaxDeliveryAttempts()).isEqualTo(3);
        assertThat(f.getDeadLetterQueue()).isEqualTo("orders.DLQ");
        ConnectionSettings s = f.settings(null, null);
        assertThat(s.queueMode()).isEqualTo(QueueMode.SHARE);
        assertThat(s.maxDeliveryAttempts()).isEqualTo(3);
        assertThat(s.deadLetterQueue()).isEqualTo("orders.DLQ");

        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, WeirInitialContextFactory.class.getName());
        env.put("connectionFactory.cf", "h:1?queueMode=classic&maxDeliveryAttempts=7");
        WeirConnectionFactory looked = (WeirConnectionFactory) new InitialContext(env).lookup("cf");
        assertThat(looked.getQueueMode()).isEqualTo(QueueMode.CLASSIC);
        assertThat(looked.getMaxDeliveryAttempts()).isEqualTo(7);
        env.put("connectionFactory.cf", "h:1?queueMode=AUTO");
        assertThat(((WeirConnectionFactory) new InitialContext(env).lookup("cf")).getQueueMode()).isEqualTo(QueueMode.AUTO);
    }

    @Test
    void badValuesGetPreciseErrors() {
        WeirConnectionFactory f = new WeirConnectionFactory("h:1");
        assertThatThrownBy(() -> f.setProperty("queueMode", "fifo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'classic', 'share' or 'auto'");
        assertThatThrownBy(() -> f.setMaxDeliveryAttempts(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.setDeadLetterQueue("bad name!")).isInstanceOf(IllegalArgumentException.class);
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, WeirInitialContextFactory.class.getName());
        env.put("connectionFactory.cf", "h:1?queueMode=fifo");
        assertThatThrownBy(() -> new InitialContext(env)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("queueMode");
    }
}
