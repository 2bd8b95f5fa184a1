package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeirObjectMessageTest {

    static final class Point implements Serializable {
        private static final long serialVersionUID = 1L;
        int x;

        Point(int x) {
            this.x = x;
        }
    }

    static final class NotSerializableInside implements Serializable {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Object field = new Object();
    }

    @Test
    void laterChangesToTheObjectAreNotSeen() throws JMSException {
        WeirObjectMessage m = new WeirObjectMessage();
        ArrayList<String> list = new ArrayList<>(List.of("a"));
        m.setObject(list);
        list.add("b");
        assertThat(m.getObject()).isEqualTo(List.of("a"));
        assertThat(m.getObject()).isNotSameAs(m.getObject());
    }

    @Test
    void nullObject() throws JMSException {
        WeirObjectMessage m = new WeirObjectMessage();
        assertThat(m.getObject()).isNull();
        m.setObject(null);
        assertThat(m.getObject()).isNull();
        assertThat(m.getBody(Point.class)).isNull();
        assertThat(m.isBodyAssignableTo(String.class)).isTrue();
    }

    @Test
    void unserializableObjectIsAMessageFormatException() {
        WeirObjectMessage m = new WeirObjectMessage();
        assertThatThrownBy(() -> m.setObject(new NotSerializableInside()))
                .isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("NotSerializableInside");
    }

    @Test
    void corruptBytesGiveAClearMessageFormatException() throws JMSException {
        WeirObjectMessage m = new WeirObjectMessage();
        m.setSerializedObject(new byte[] {1, 2, 3});
        assertThatThrownBy(m::getObject).isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("deserialize");
        assertThatThrownBy(() -> m.getBody(Object.class)).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> m.getBody(String.class)).isInstanceOf(MessageFormatException.class);
        assertThat(m.isBodyAssignableTo(String.class)).as("deserialization fails: false").isFalse();
        assertThat(m.isBodyAssignableTo(Object.class)).as("even for Object").isFalse();
        assertThat(m.isBodyAssignableTo(Serializable.class)).as("even for Serializable").isFalse();
    }

    @Test
    void deserializationFilterRejectsClassesAndIsCopied() throws JMSException {
        WeirObjectMessage m = new WeirObjectMessage();
        m.setObject(new Point(1));
        m.setDeserializationFilter(info -> info.serialClass() == Point.class
                ? java.io.ObjectInputFilter.Status.REJECTED : java.io.ObjectInputFilter.Status.UNDECIDED);
        assertThatThrownBy(m::getObject).isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("deserialize");
        WeirObjectMessage copy = (WeirObjectMessage) m.copy();
        assertThatThrownBy(copy::getObject).isInstanceOf(MessageFormatException.class);
        m.setDeserializationFilter(null);
        assertThat(((Point) m.getObject()).x).isEqualTo(1);
    }

    @Test
    void getBodyRules() throws JMSException {
        WeirObjectMessage m = new WeirObjectMessage();
        m.setObject(new Point(3));
        assertThat(m.getBody(Point.class).x).isEqualTo(3);
        assertThat(m.getBody(Serializable.class)).isInstanceOf(Point.class);
        assertThat(m.isBodyAssignableTo(Point.class)).isTrue();
        assertThat(m.isBodyAssignableTo(Serializable.class)).isTrue();
        assertThat(m.isBodyAssignableTo(String.class)).isFalse();
        assertThatThrownBy(() -> m.getBody(String.class)).isInstanceOf(MessageFormatException.class);
    }

    @Test
    void receivedBodyIsReadOnlyUntilClearBody() throws JMSException {
        WeirObjectMessage m = new WeirObjectMessage();
        m.setObject("x");
        m.markReadOnly();
        assertThatThrownBy(() -> m.setObject("y")).isInstanceOf(MessageNotWriteableException.class);
        m.clearBody();
        assertThat(m.getObject()).isNull();
        m.setObject("y");
        assertThat(m.getObject()).isEqualTo("y");
    }

    @Test
    void copyIsIndependent() throws JMSException {
        WeirObjectMessage m = new WeirObjectMessage();
        m.setObject("x");
        WeirObjectMessage c = (WeirObjectMessage) m.copy();
        c.setObject("y");
        assertThat(m.getObject()).isEqualTo("x");
    }
}
