package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeirStreamMessageTest {

    @Test
    void writesAndReadsEveryTypeInOrder() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        m.writeBoolean(true);
        m.writeByte((byte) 1);
        m.writeShort((short) 2);
        m.writeChar('c');
        m.writeInt(3);
        m.writeLong(4);
        m.writeFloat(5.5f);
        m.writeDouble(6.5);
        m.writeString("s");
        m.writeBytes(new byte[] {1, 2});
        m.writeBytes(new byte[] {0, 7, 8, 0}, 1, 2);
        m.writeObject(null);
        m.writeObject('d');
        m.reset();
        assertThat(m.readBoolean()).isTrue();
        assertThat(m.readByte()).isEqualTo((byte) 1);
        assertThat(m.readShort()).isEqualTo((short) 2);
        assertThat(m.readChar()).isEqualTo('c');
        assertThat(m.readInt()).isEqualTo(3);
        assertThat(m.readLong()).isEqualTo(4);
        assertThat(m.readFloat()).isEqualTo(5.5f);
        assertThat(m.readDouble()).isEqualTo(6.5);
        assertThat(m.readString()).isEqualTo("s");
        assertThat((byte[]) m.readObject()).containsExactly(1, 2);
        assertThat((byte[]) m.readObject()).containsExactly(7, 8);
        assertThat(m.readObject()).isNull();
        assertThat(m.readObject()).isEqualTo('d');
        assertThatThrownBy(m::readObject).isInstanceOf(MessageEOFException.class);
        assertThatThrownBy(m::readInt).isInstanceOf(MessageEOFException.class);
        assertThatThrownBy(() -> m.readBytes(new byte[1])).isInstanceOf(MessageEOFException.class);
    }

    @Test
    void readBytesInChunks() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        m.writeBytes(new byte[] {1, 2, 3, 4, 5});
        m.writeInt(9);
        m.reset();
        byte[] buf = new byte[2];
        assertThat(m.readBytes(buf)).isEqualTo(2);
        assertThat(buf).containsExactly(1, 2);
        assertThatThrownBy(m::readInt).as("the byte[] value must be read to its end first")
                .isInstanceOf(MessageFormatException.class);
        assertThat(m.readBytes(buf)).isEqualTo(2);
        assertThat(buf).containsExactly(3, 4);
        assertThat(m.readBytes(buf)).isEqualTo(1);
        assertThat(buf[0]).isEqualTo((byte) 5);
        assertThat(m.readInt()).as("a short read ends the value").isEqualTo(9);
    }

    @Test
    void readBytesThatFillsTheBufferExactlyNeedsAClosingCall() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        m.writeBytes(new byte[] {1, 2});
        m.writeInt(9);
        m.reset();
        byte[] buf = new byte[2];
        assertThat(m.readBytes(buf)).isEqualTo(2);
        assertThat(m.readBytes(buf)).isEqualTo(-1);
        assertThat(m.readInt()).isEqualTo(9);
    }

    @Test
    void readBytesOfEmptyAndNullValues() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        m.writeBytes(new byte[0]);
        m.writeBytes(null);
        m.writeBytes(new byte[0]);
        m.writeInt(9);
        m.reset();
        assertThat(m.readBytes(new byte[4])).isZero();
        assertThat(m.readBytes(new byte[4])).as("null value").isEqualTo(-1);
        assertThat(m.readBytes(new byte[0])).isZero();
        assertThat(m.readBytes(new byte[0])).isEqualTo(-1);
        assertThat(m.readInt()).isEqualTo(9);
    }

    @Test
    void readBytesOfANonBytesValueFailsAndKeepsThePosition() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        m.writeBoolean(true);
        m.reset();
        assertThatThrownBy(() -> m.readBytes(new byte[4])).isInstanceOf(MessageFormatException.class);
        assertThat(m.readBoolean()).isTrue();
    }

    @Test
    void bytesAreCopiedOnWriteAndRead() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        byte[] b = {1};
        m.writeBytes(b);
        m.writeObject(b);
        b[0] = 9;
        m.reset();
        byte[] first = (byte[]) m.readObject();
        assertThat(first).containsExactly(1);
        first[0] = 5;
        m.reset();
        assertThat((byte[]) m.readObject()).containsExactly(1);
        assertThat((byte[]) m.readObject()).containsExactly(1);
    }

    @Test
    void writeObjectRejectsOtherTypes() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        assertThatThrownBy(() -> m.writeObject(new Object())).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> m.writeObject(java.util.List.of())).isInstanceOf(MessageFormatException.class);
        m.reset();
        assertThatThrownBy(m::readObject).as("nothing was written").isInstanceOf(MessageEOFException.class);
    }

    @Test
    void writeOnlyUntilResetThenReadOnlyUntilClearBody() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        m.writeInt(1);
        assertThatThrownBy(m::readInt).isInstanceOf(MessageNotReadableException.class);
        assertThatThrownBy(() -> m.readBytes(new byte[1])).isInstanceOf(MessageNotReadableException.class);
        m.reset();
        assertThatThrownBy(() -> m.writeInt(2)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.writeObject("x")).isInstanceOf(MessageNotWriteableException.class);
        assertThat(m.readInt()).isEqualTo(1);
        m.clearBody();
        assertThatThrownBy(m::readInt).isInstanceOf(MessageNotReadableException.class);
        m.writeString("x");
        m.reset();
        assertThat(m.readString()).isEqualTo("x");
    }

    @Test
    void receivedBodyIsReadableAndReadOnly() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        m.writeInt(1);
        m.markReadOnly();
        assertThat(m.readInt()).isEqualTo(1);
        assertThatThrownBy(() -> m.writeInt(2)).isInstanceOf(MessageNotWriteableException.class);
    }

    @Test
    void getBodyAlwaysFails() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        assertThatThrownBy(() -> m.getBody(Object.class)).isInstanceOf(MessageFormatException.class);
        assertThat(m.isBodyAssignableTo(Object.class)).isFalse();
        m.writeInt(1);
        assertThatThrownBy(() -> m.getBody(Object.class)).isInstanceOf(MessageFormatException.class);
        assertThat(m.isBodyAssignableTo(Object.class)).isFalse();
    }

    @Test
    void copyIsIndependent() throws JMSException {
        WeirStreamMessage m = new WeirStreamMessage();
        m.writeBytes(new byte[] {1});
        WeirStreamMessage c = (WeirStreamMessage) m.copy();
        c.writeInt(2);
        c.reset();
        m.reset();
        assertThat((byte[]) c.readObject()).containsExactly(1);
        assertThat(c.readInt()).isEqualTo(2);
        m.readObject();
        assertThatThrownBy(m::readObject).isInstanceOf(MessageEOFException.class);
    }
}
