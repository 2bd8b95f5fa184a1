package io.weir.jms.message;

import io.weir.jms.WeirQueue;
import io.weir.jms.WeirTemporaryQueue;
import io.weir.jms.WeirTemporaryTopic;
import io.weir.jms.WeirTopic;
import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeirMessagesTest {

    /** Another provider's message: a proxy that is not a WeirMessage, backed by one. */
    @SuppressWarnings("unchecked")
    private static <T extends Message> T foreign(Class<T> type, WeirMessage backing) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            try {
                return method.invoke(backing, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static void decorate(WeirMessage m) throws JMSException {
        m.setJMSCorrelationID("c");
        m.setJMSType("type");
        m.setJMSPriority(2);
        m.setJMSExpiration(5);
        m.setJMSDeliveryMode(jakarta.jms.DeliveryMode.NON_PERSISTENT);
        m.setJMSReplyTo((Queue) () -> "replies");
        m.setIntProperty("i", 1);
        m.setStringProperty("s", "x");
    }

    private static void assertDecorated(WeirMessage w) throws JMSException {
        assertThat(w.getJMSCorrelationID()).isEqualTo("c");
        assertThat(w.getJMSType()).isEqualTo("type");
        assertThat(w.getJMSPriority()).isEqualTo(2);
        assertThat(w.getJMSExpiration()).isEqualTo(5);
        assertThat(w.getJMSDeliveryMode()).isEqualTo(jakarta.jms.DeliveryMode.NON_PERSISTENT);
        assertThat(w.getJMSReplyTo()).isEqualTo(new WeirQueue("replies"));
        assertThat(w.getObjectProperty("i")).isEqualTo(1);
        assertThat(w.getStringProperty("s")).isEqualTo("x");
    }

    @Test
    void weirMessageIsReturnedAsIs() throws JMSException {
        WeirMessage m = WeirMessage.create();
        assertThat(WeirMessages.fromForeign(m)).isSameAs(m);
    }

    @Test
    void foreignMessagesOfEveryKindAreConverted() throws JMSException {
        WeirTextMessage text = new WeirTextMessage("hi");
        decorate(text);
        WeirMessage w = WeirMessages.fromForeign(foreign(TextMessage.class, text));
        assertThat(w).isInstanceOf(WeirTextMessage.class);
        assertThat(((TextMessage) w).getText()).isEqualTo("hi");
        assertDecorated(w);

        WeirBytesMessage bytes = new WeirBytesMessage();
        byte[] big = new byte[20_000];
        big[19_999] = 9;
        bytes.writeBytes(big);
        decorate(bytes);
        w = WeirMessages.fromForeign(foreign(BytesMessage.class, bytes));
        assertThat(w).isInstanceOf(WeirBytesMessage.class);
        assertThat(w.getBody(byte[].class)).isEqualTo(big);
        assertDecorated(w);

        WeirMapMessage map = new WeirMapMessage();
        map.setChar("c", 'c');
        map.setBytes("b", new byte[] {1});
        decorate(map);
        w = WeirMessages.fromForeign(foreign(MapMessage.class, map));
        assertThat(((MapMessage) w).getChar("c")).isEqualTo('c');
        assertThat(((MapMessage) w).getBytes("b")).containsExactly(1);
        assertDecorated(w);

        WeirStreamMessage stream = new WeirStreamMessage();
        stream.writeInt(1);
        stream.writeObject(null);
        stream.writeString("s");
        decorate(stream);
        w = WeirMessages.fromForeign(foreign(StreamMessage.class, stream));
        w.prepareForSend();
        assertThat(((StreamMessage) w).readInt()).isEqualTo(1);
        assertThat(((StreamMessage) w).readObject()).isNull();
        assertThat(((StreamMessage) w).readString()).isEqualTo("s");
        assertDecorated(w);

        WeirObjectMessage object = new WeirObjectMessage();
        object.setObject(42L);
        decorate(object);
        w = WeirMessages.fromForeign(foreign(ObjectMessage.class, object));
        assertThat(((ObjectMessage) w).getObject()).isEqualTo(42L);
        assertDecorated(w);

        WeirMessage plain = WeirMessage.create();
        decorate(plain);
        w = WeirMessages.fromForeign(foreign(Message.class, plain));
        assertThat(w).isInstanceOf(WeirPlainMessage.class);
        assertDecorated(w);
    }

    @Test
    void foreignPropertyNameThatIsNotAnIdentifierIsAMessageFormatException() throws JMSException {
        WeirMessage backing = WeirMessage.create();
        Message foreign = (Message) Proxy.newProxyInstance(Message.class.getClassLoader(),
                new Class<?>[] {Message.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getPropertyNames")) {
                        return java.util.Collections.enumeration(java.util.List.of("a.b"));
                    }
                    if (method.getName().equals("getObjectProperty")) {
                        return "v";
                    }
                    return method.invoke(backing, args);
                });
        assertThatThrownBy(() -> WeirMessages.fromForeign(foreign))
                .isInstanceOf(jakarta.jms.MessageFormatException.class).hasMessageContaining("'a.b'");
    }

    @Test
    void foreignDestinationsAreConverted() throws JMSException {
        assertThat(WeirMessages.toWeirDestination((Queue) () -> "q")).isEqualTo(new WeirQueue("q"));
        assertThat(WeirMessages.toWeirDestination((Topic) () -> "t")).isEqualTo(new WeirTopic("t"));
        TemporaryQueue tq = new TemporaryQueue() {
            @Override
            public void delete() {
            }

            @Override
            public String getQueueName() {
                return "tq";
            }
        };
        assertThat(WeirMessages.toWeirDestination(tq)).isEqualTo(new WeirTemporaryQueue("tq", null));
        TemporaryTopic tt = new TemporaryTopic() {
            @Override
            public void delete() {
            }

            @Override
            public String getTopicName() {
                return "tt";
            }
        };
        assertThat(WeirMessages.toWeirDestination(tt)).isEqualTo(new WeirTemporaryTopic("tt", null));
        WeirQueue own = new WeirQueue("own");
        assertThat(WeirMessages.toWeirDestination(own)).isSameAs(own);
        assertThatThrownBy(() -> WeirMessages.toWeirDestination(new Destination() {
        })).isInstanceOf(InvalidDestinationException.class);
    }
}
