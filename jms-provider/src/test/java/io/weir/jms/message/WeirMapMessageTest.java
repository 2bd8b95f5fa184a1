package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeirMapMessageTest {

    @Test
    void setsAndGetsEveryType() throws JMSException {
        WeirMapMessage m = new WeirMapMessage();
        m.setBoolean("z", true);
        m.setByte("b", (byte) 1);
        m.setShort("s", (short) 2);
        m.setChar("c", 'c');
        m.setInt("i", 3);
        m.setLong("l", 4);
        m.setFloat("f", 5.5f);
        m.setDouble("d", 6.5);
        m.setString("t", "text");
        m.setBytes("y", new byte[] {1, 2});
        m.setBytes("r", new byte[] {0, 7, 8, 0}, 1, 2);
        m.setObject("o", 9L);
        assertThat(m.getBoolean("z")).isTrue();
        assertThat(m.getByte("b")).isEqualTo((byte) 1);
        assertThat(m.getShort("s")).isEqualTo((short) 2);
        assertThat(m.getChar("c")).isEqualTo('c');
        assertThat(m.getInt("i")).isEqualTo(3);
        assertThat(m.getLong("l")).isEqualTo(4);
        assertThat(m.getFloat("f")).isEqualTo(5.5f);
        assertThat(m.getDouble("d")).isEqualTo(6.5);
        assertThat(m.getString("t")).isEqualTo("text");
        assertThat(m.getBytes("y")).containsExactly(1, 2);
        assertThat(m.getBytes("r")).containsExactly(7, 8);
        assertThat(m.getObject("o")).isEqualTo(9L);
        assertThat(m.getObject("c")).isEqualTo('c');
        assertThat(Collections.list(m.getMapNames()))
                .containsExactly("z", "b", "s", "c", "i", "l", "f", "d", "t", "y", "r", "o");
        assertThat(m.itemExists("z")).isTrue();
        assertThat(m.itemExists("nope")).isFalse();
        assertThat(m.itemExists(null)).isFalse();
        assertThat(m.getObject("nope")).isNull();
    }

    @Test
    void bytesAreCopiedInAndOut() throws JMSException {
        WeirMapMessage m = new WeirMapMessage();
        byte[] b = {1};
        m.setBytes("b", b);
        m.setObject("o", b);
        b[0] = 9;
        assertThat(m.getBytes("b")).containsExactly(1);
        m.getBytes("b")[0] = 5;
        ((byte[]) m.getObject("o"))[0] = 5;
        assertThat(m.getBytes("b")).containsExactly(1);
        assertThat((byte[]) m.getObject("o")).containsExactly(1);
    }

    @Test
    void namesMustNotBeNullOrEmpty() {
        WeirMapMessage m = new WeirMapMessage();
        for (String name : new String[] {null, ""}) {
            assertThatThrownBy(() -> m.setInt(name, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setString(name, "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setBytes(name, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setObject(name, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setChar(name, 'c')).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void mapNamesNeedNotBeIdentifiers() throws JMSException {
        WeirMapMessage m = new WeirMapMessage();
        m.setInt("a name with spaces.and-dots", 1);
        assertThat(m.getInt("a name with spaces.and-dots")).isEqualTo(1);
    }

    @Test
    void setObjectRejectsOtherTypes() throws JMSException {
        WeirMapMessage m = new WeirMapMessage();
        assertThatThrownBy(() -> m.setObject("x", new Object())).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> m.setObject("x", new HashMap<>())).isInstanceOf(MessageFormatException.class);
        assertThat(m.itemExists("x")).isFalse();
        m.setObject("n", null);
        assertThat(m.itemExists("n")).isTrue();
        assertThat(m.getObject("n")).isNull();
    }

    @Test
    void receivedBodyIsReadOnlyUntilClearBody() throws JMSException {
        WeirMapMessage m = new WeirMapMessage();
        m.setInt("i", 1);
        m.markReadOnly();
        assertThatThrownBy(() -> m.setInt("i", 2)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setObject("i", 2)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.setBytes("i", new byte[1], 0, 1)).isInstanceOf(MessageNotWriteableException.class);
        assertThat(m.getInt("i")).isEqualTo(1);
        m.clearBody();
        assertThat(m.itemExists("i")).isFalse();
        m.setInt("i", 3);
        assertThat(m.getInt("i")).isEqualTo(3);
    }

    @Test
    void getBodyRules() throws JMSException {
        WeirMapMessage m = new WeirMapMessage();
        assertThat((Object) m.getBody(Map.class)).as("no entries: no body").isNull();
        assertThat(m.getBody(String.class)).isNull();
        assertThat(m.isBodyAssignableTo(String.class)).isTrue();
        m.setInt("i", 1);
        m.setBytes("b", new byte[] {1});
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) m.getBody(Map.class);
        assertThat(body).containsEntry("i", 1).containsKey("b");
        body.put("x", 1);
        assertThat(m.itemExists("x")).as("a copy").isFalse();
        assertThat(m.getBody(Object.class)).isInstanceOf(Map.class);
        assertThat(m.isBodyAssignableTo(Map.class)).isTrue();
        assertThat(m.isBodyAssignableTo(String.class)).isFalse();
        assertThatThrownBy(() -> m.getBody(String.class)).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> m.getBody(HashMap.class)).isInstanceOf(MessageFormatException.class);
    }
}
