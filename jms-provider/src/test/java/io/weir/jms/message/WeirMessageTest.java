package io.weir.jms.message;

import io.weir.jms.WeirQueue;
import io.weir.jms.WeirTopic;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Headers, properties, the read-only rules and the provider hooks of {@link WeirMessage}. */
class WeirMessageTest {

    @Test
    void newMessageHasSpecDefaults() {
        WeirMessage m = WeirMessage.create();
        assertThat(m).isInstanceOf(WeirPlainMessage.class);
        assertThat(m.bodyType()).isEqualTo(BodyType.MESSAGE);
        assertThat(m.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
        assertThat(m.getJMSPriority()).isEqualTo(4);
        assertThat(m.getJMSMessageID()).isNull();
        assertThat(m.getJMSCorrelationID()).isNull();
        assertThat(m.getJMSCorrelationIDAsBytes()).isNull();
        assertThat(m.getJMSExpiration()).isZero();
        assertThat(m.getJMSDeliveryTime()).isZero();
        assertThat(m.getJMSRedelivered()).isFalse();
        assertThat(Collections.list(m.getPropertyNames())).isEmpty();
    }

    @Test
    void headersAreStoredAndAlwaysWritable() {
        WeirMessage m = WeirMessage.create();
        m.markReadOnly();
        m.setJMSMessageID("ID:1");
        m.setJMSTimestamp(11);
        m.setJMSCorrelationID("corr");
        m.setJMSReplyTo(new WeirQueue("replies"));
        m.setJMSDestination(new WeirTopic("events"));
        m.setJMSDeliveryMode(DeliveryMode.NON_PERSISTENT);
        m.setJMSRedelivered(true);
        m.setJMSType("kind");
        m.setJMSExpiration(22);
        m.setJMSDeliveryTime(33);
        m.setJMSPriority(9);
        assertThat(m.getJMSMessageID()).isEqualTo("ID:1");
        assertThat(m.getJMSTimestamp()).isEqualTo(11);
        assertThat(m.getJMSCorrelationID()).isEqualTo("corr");
        assertThat(m.getJMSCorrelationIDAsBytes()).isEqualTo("corr".getBytes(StandardCharsets.UTF_8));
        assertThat(m.getJMSReplyTo()).isEqualTo(new WeirQueue("replies"));
        assertThat(m.getJMSDestination()).isEqualTo(new WeirTopic("events"));
        assertThat(m.getJMSDeliveryMode()).isEqualTo(DeliveryMode.NON_PERSISTENT);
        assertThat(m.getJMSRedelivered()).isTrue();
        assertThat(m.getJMSType()).isEqualTo("kind");
        assertThat(m.getJMSExpiration()).isEqualTo(22);
        assertThat(m.getJMSDeliveryTime()).isEqualTo(33);
        assertThat(m.getJMSPriority()).isEqualTo(9);
    }

    @Test
    void correlationIdAsBytesIsCopiedAndReplacedByTheStringForm() {
        WeirMessage m = WeirMessage.create();
        byte[] id = {0, 1, (byte) 0xff};
        m.setJMSCorrelationIDAsBytes(id);
        id[0] = 42;
        assertThat(m.getJMSCorrelationIDAsBytes()).containsExactly(0, 1, 0xff);
        m.getJMSCorrelationIDAsBytes()[1] = 42;
        assertThat(m.getJMSCorrelationIDAsBytes()).containsExactly(0, 1, 0xff);
        assertThat(m.hasCorrelationIdBytes()).isTrue();
        m.setJMSCorrelationID("text");
        assertThat(m.hasCorrelationIdBytes()).isFalse();
        assertThat(m.getJMSCorrelationID()).isEqualTo("text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "_x", "$y", "name9", "JMSXGroupID", "JMS_vendor", "été", "Ab_$1"})
    void legalPropertyNames(String name) throws JMSException {
        WeirMessage m = WeirMessage.create();
        m.setIntProperty(name, 1);
        assertThat(m.getIntProperty(name)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1a", "a-b", "a.b", "a b", "NULL", "true", "False", "not", "AND", "or", "between",
            "Like", "in", "IS", "escape", "*", "a+"})
    void illegalPropertyNamesThrowIllegalArgumentException(String name) {
        WeirMessage m = WeirMessage.create();
        assertThatThrownBy(() -> m.setStringProperty(name, "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name);
        assertThat(m.propertyExists(name)).isFalse();
    }

    @Test
    void nullOrEmptyNameThrowsIllegalArgumentExceptionForEverySetter() {
        WeirMessage m = WeirMessage.create();
        for (String name : new String[] {null, ""}) {
            assertThatThrownBy(() -> m.setBooleanProperty(name, true)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setByteProperty(name, (byte) 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setShortProperty(name, (short) 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setIntProperty(name, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setLongProperty(name, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setFloatProperty(name, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setDoubleProperty(name, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setStringProperty(name, "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setObjectProperty(name, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setObjectProperty(name, new Object()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void setObjectPropertyAcceptsOnlyObjectifiedPrimitivesAndString() throws JMSException {
        WeirMessage m = WeirMessage.create();
        for (Object bad : new Object[] {new Object(), 'c', new byte[] {1}, new StringBuilder("x"),
                java.math.BigDecimal.ONE, List.of()}) {
            assertThatThrownBy(() -> m.setObjectProperty("p", bad)).isInstanceOf(MessageFormatException.class);
        }
        assertThat(m.propertyExists("p")).isFalse();
        Object[] good = {true, (byte) 1, (short) 2, 3, 4L, 5f, 6d, "s"};
        for (Object g : good) {
            m.setObjectProperty("p", g);
            assertThat(m.getObjectProperty("p")).isEqualTo(g).isExactlyInstanceOf(g.getClass());
        }
        m.setObjectProperty("p", null);
        assertThat(m.propertyExists("p")).isTrue();
        assertThat(m.getObjectProperty("p")).isNull();
    }

    @Test
    void getPropertyNamesListsEveryPropertyOnceAndIsASnapshot() throws JMSException {
        WeirMessage m = WeirMessage.create();
        m.setIntProperty("a", 1);
        m.setStringProperty("b", "x");
        m.setIntProperty("a", 2);
        m.setStringProperty("JMSXGroupID", "g");
        m.setIntProperty("JMSXGroupSeq", 3);
        var names = m.getPropertyNames();
        m.setIntProperty("late", 1);
        List<String> listed = new ArrayList<>();
        while (names.hasMoreElements()) {
            listed.add(names.nextElement());
        }
        assertThat(listed).containsExactly("a", "b", "JMSXGroupID", "JMSXGroupSeq");
        assertThat(m.getIntProperty("a")).isEqualTo(2);
    }

    @Test
    void receivedPropertiesAreReadOnlyUntilClearProperties() throws JMSException {
        WeirTextMessage m = new WeirTextMessage("body");
        m.setIntProperty("a", 1);
        m.markReadOnly();
        assertThat(m.isPropertiesReadOnly()).isTrue();
        assertThatThrownBy(() -> m.setIntProperty("a", 2)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setBooleanProperty("b", true)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setByteProperty("b", (byte) 1)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setShortProperty("b", (short) 1)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setLongProperty("b", 1)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setFloatProperty("b", 1)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setDoubleProperty("b", 1)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setStringProperty("b", "")).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setObjectProperty("b", 1)).isInstanceOf(MessageNotWriteableException.class);
        assertThat(m.getIntProperty("a")).isEqualTo(1);

        m.clearProperties();
        assertThat(m.propertyExists("a")).isFalse();
        assertThatThrownBy(() -> m.getShortProperty("a")).isInstanceOf(NumberFormatException.class);
        m.setIntProperty("a", 3);
        assertThat(m.getIntProperty("a")).isEqualTo(3);
        assertThat(m.getText()).as("clearProperties leaves the body").isEqualTo("body");
        assertThatThrownBy(() -> m.setText("x")).as("and the body read-only")
                .isInstanceOf(MessageNotWriteableException.class);
    }

    @Test
    void clearBodyLeavesPropertiesReadOnly() throws JMSException {
        WeirTextMessage m = new WeirTextMessage("body");
        m.setIntProperty("a", 1);
        m.markReadOnly();
        m.clearBody();
        assertThat(m.getText()).isNull();
        m.setText("new");
        assertThat(m.getText()).isEqualTo("new");
        assertThatThrownBy(() -> m.setIntProperty("a", 2)).isInstanceOf(MessageNotWriteableException.class);
    }

    @Test
    void deliveryCountIsSetEvenOnReadOnlyProperties() throws JMSException {
        WeirMessage m = WeirMessage.create();
        m.markReadOnly();
        m.setDeliveryCount(2);
        assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
        assertThat(m.getObjectProperty("JMSXDeliveryCount")).isEqualTo(2);
        assertThat(Collections.list(m.getPropertyNames())).containsExactly("JMSXDeliveryCount");
    }

    @Test
    void acknowledgeCallsTheAcknowledgerAndIsANoOpWithoutOne() throws JMSException {
        WeirMessage m = WeirMessage.create();
        assertThatCode(m::acknowledge).doesNotThrowAnyException();
        AtomicInteger calls = new AtomicInteger();
        m.setAcknowledger(calls::incrementAndGet);
        m.acknowledge();
        m.acknowledge();
        assertThat(calls).hasValue(2);
        m.setAcknowledger(() -> {
            throw new jakarta.jms.IllegalStateException("session closed");
        });
        assertThatThrownBy(m::acknowledge).isInstanceOf(jakarta.jms.IllegalStateException.class);
    }

    @Test
    void copyIsDeepWritableAndHasNoAcknowledger() throws JMSException {
        WeirMapMessage m = new WeirMapMessage();
        m.setBytes("b", new byte[] {1});
        m.setIntProperty("p", 1);
        m.setJMSCorrelationIDAsBytes(new byte[] {9});
        m.setJMSType("t");
        m.setJMSPriority(7);
        m.setJMSReplyTo(new WeirQueue("r"));
        AtomicInteger acks = new AtomicInteger();
        m.setAcknowledger(acks::incrementAndGet);
        m.markReadOnly();

        WeirMapMessage c = (WeirMapMessage) m.copy();
        assertThat(c.getBytes("b")).containsExactly(1);
        assertThat(c.getIntProperty("p")).isEqualTo(1);
        assertThat(c.getJMSCorrelationIDAsBytes()).containsExactly(9);
        assertThat(c.getJMSType()).isEqualTo("t");
        assertThat(c.getJMSPriority()).isEqualTo(7);
        assertThat(c.getJMSReplyTo()).isEqualTo(new WeirQueue("r"));
        c.setIntProperty("p", 2);
        c.setBytes("b", new byte[] {2});
        assertThat(m.getIntProperty("p")).isEqualTo(1);
        assertThat(m.getBytes("b")).containsExactly(1);
        c.acknowledge();
        assertThat(acks).hasValue(0);
    }

    @Test
    void toStringNamesTheKeyHeaders() throws JMSException {
        WeirTextMessage m = new WeirTextMessage("hello");
        m.setJMSMessageID("ID:7");
        m.setStringProperty("k", "v");
        assertThat(m.toString()).contains("WeirTextMessage", "ID:7", "k=v", "hello");
    }
}
