package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeirBytesMessageTest {

    @Test
    void writesAndReadsEveryTypeWithDataOutputLayout() throws Exception {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeBoolean(true);
        m.writeByte((byte) -2);
        m.writeShort((short) -300);
        m.writeChar('Z');
        m.writeInt(123456);
        m.writeLong(-9L);
        m.writeFloat(1.5f);
        m.writeDouble(-2.25);
        m.writeUTF("héllo");
        m.writeBytes(new byte[] {1, 2});
        m.writeBytes(new byte[] {0, 3, 4, 0}, 1, 2);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(expected)) {
            out.writeBoolean(true);
            out.writeByte(-2);
            out.writeShort(-300);
            out.writeChar('Z');
            out.writeInt(123456);
            out.writeLong(-9L);
            out.writeFloat(1.5f);
            out.writeDouble(-2.25);
            out.writeUTF("héllo");
            out.write(new byte[] {1, 2, 3, 4});
        }
        assertThat(m.getBody(byte[].class)).isEqualTo(expected.toByteArray());

        m.reset();
        assertThat(m.getBodyLength()).isEqualTo(expected.size());
        assertThat(m.readBoolean()).isTrue();
        assertThat(m.readByte()).isEqualTo((byte) -2);
        assertThat(m.readShort()).isEqualTo((short) -300);
        assertThat(m.readChar()).isEqualTo('Z');
        assertThat(m.readInt()).isEqualTo(123456);
        assertThat(m.readLong()).isEqualTo(-9L);
        assertThat(m.readFloat()).isEqualTo(1.5f);
        assertThat(m.readDouble()).isEqualTo(-2.25);
        assertThat(m.readUTF()).isEqualTo("héllo");
        byte[] buf = new byte[3];
        assertThat(m.readBytes(buf)).isEqualTo(3);
        assertThat(buf).containsExactly(1, 2, 3);
        assertThat(m.readBytes(buf)).isEqualTo(1);
        assertThat(buf[0]).isEqualTo((byte) 4);
        assertThat(m.readBytes(buf)).isEqualTo(-1);
        assertThat(m.readBytes(buf, 0)).isEqualTo(-1);
        assertThatThrownBy(m::readByte).isInstanceOf(MessageEOFException.class);
    }

    @Test
    void unsignedReads() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeByte((byte) -1);
        m.writeShort((short) -1);
        m.reset();
        assertThat(m.readUnsignedByte()).isEqualTo(255);
        assertThat(m.readUnsignedShort()).isEqualTo(65535);
    }

    @Test
    void readBytesWithLength() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeBytes(new byte[] {1, 2, 3, 4, 5});
        m.reset();
        byte[] buf = new byte[4];
        assertThat(m.readBytes(buf, 2)).isEqualTo(2);
        assertThat(buf).containsExactly(1, 2, 0, 0);
        assertThatThrownBy(() -> m.readBytes(buf, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> m.readBytes(buf, -1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(m.readBytes(buf, 4)).isEqualTo(3);
        assertThat(m.readBytes(buf, 4)).isEqualTo(-1);
    }

    @Test
    void writeOnlyUntilResetThenReadOnlyUntilClearBody() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeInt(1);
        assertThatThrownBy(m::readInt).isInstanceOf(MessageNotReadableException.class);
        assertThatThrownBy(m::getBodyLength).isInstanceOf(MessageNotReadableException.class);
        assertThatThrownBy(() -> m.readBytes(new byte[1])).isInstanceOf(MessageNotReadableException.class);
        m.reset();
        assertThatThrownBy(() -> m.writeInt(2)).isInstanceOf(MessageNotWriteableException.class);
        assertThatThrownBy(() -> m.writeObject(2)).isInstanceOf(MessageNotWriteableException.class);
        assertThat(m.readInt()).isEqualTo(1);
        m.reset();
        assertThat(m.readInt()).as("reset rewinds").isEqualTo(1);
        m.clearBody();
        assertThatThrownBy(m::readInt).isInstanceOf(MessageNotReadableException.class);
        m.writeInt(5);
        m.reset();
        assertThat(m.getBodyLength()).isEqualTo(4);
        assertThat(m.readInt()).isEqualTo(5);
    }

    @Test
    void receivedBodyIsReadOnlyAndReadable() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeInt(7);
        m.markReadOnly();
        assertThat(m.readInt()).isEqualTo(7);
        assertThatThrownBy(() -> m.writeInt(1)).isInstanceOf(MessageNotWriteableException.class);
        m.clearBody();
        m.writeInt(8);
        m.reset();
        assertThat(m.readInt()).isEqualTo(8);
    }

    @Test
    void writeObjectAcceptsOnlyWrappersStringAndBytes() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeObject(true);
        m.writeObject((byte) 1);
        m.writeObject((short) 2);
        m.writeObject('c');
        m.writeObject(3);
        m.writeObject(4L);
        m.writeObject(5f);
        m.writeObject(6d);
        m.writeObject("s");
        m.writeObject(new byte[] {7});
        assertThatThrownBy(() -> m.writeObject(new Object())).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> m.writeObject(java.math.BigInteger.ONE)).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> m.writeObject(null)).isInstanceOf(NullPointerException.class);
        m.reset();
        assertThat(m.readBoolean()).isTrue();
        assertThat(m.readByte()).isEqualTo((byte) 1);
        assertThat(m.readShort()).isEqualTo((short) 2);
        assertThat(m.readChar()).isEqualTo('c');
        assertThat(m.readInt()).isEqualTo(3);
        assertThat(m.readLong()).isEqualTo(4L);
        assertThat(m.readFloat()).isEqualTo(5f);
        assertThat(m.readDouble()).isEqualTo(6d);
        assertThat(m.readUTF()).isEqualTo("s");
        assertThat(m.readByte()).isEqualTo((byte) 7);
        assertThatThrownBy(m::readByte).isInstanceOf(MessageEOFException.class);
    }

    @Test
    void truncatedValuesThrowMessageEOFException() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeShort((short) 1);
        m.reset();
        assertThatThrownBy(m::readLong).isInstanceOf(MessageEOFException.class);
        WeirBytesMessage utf = new WeirBytesMessage();
        utf.writeShort((short) 10);
        utf.writeByte((byte) 'a');
        utf.reset();
        assertThatThrownBy(utf::readUTF).isInstanceOf(MessageEOFException.class);
    }

    @Test
    void malformedUtfThrowsMessageFormatExceptionAndKeepsThePosition() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeShort((short) 1);
        m.writeByte((byte) 0xC0); // a two-byte sequence start with nothing after it
        m.reset();
        assertThatThrownBy(m::readUTF).isInstanceOf(MessageFormatException.class);
        assertThat(m.readShort()).as("the failed read left the position").isEqualTo((short) 1);
        assertThat(m.readUnsignedByte()).isEqualTo(0xC0);
    }

    @Test
    void readPastTheEndKeepsThePosition() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeShort((short) 7);
        m.reset();
        assertThatThrownBy(m::readLong).isInstanceOf(MessageEOFException.class);
        assertThat(m.readShort()).isEqualTo((short) 7);
    }

    @Test
    void getBodyRules() throws JMSException {
        WeirBytesMessage empty = new WeirBytesMessage();
        assertThat(empty.getBody(byte[].class)).isNull();
        assertThat(empty.getBody(String.class)).as("no body: any type, null").isNull();
        assertThat(empty.isBodyAssignableTo(String.class)).isTrue();

        WeirBytesMessage m = new WeirBytesMessage();
        m.writeBytes(new byte[] {1, 2});
        assertThat(m.getBody(byte[].class)).containsExactly(1, 2);
        assertThat(m.getBody(Object.class)).isEqualTo(new byte[] {1, 2});
        assertThat(m.isBodyAssignableTo(byte[].class)).isTrue();
        assertThat(m.isBodyAssignableTo(Object.class)).isTrue();
        assertThat(m.isBodyAssignableTo(String.class)).isFalse();
        assertThatThrownBy(() -> m.getBody(String.class)).isInstanceOf(MessageFormatException.class);
        m.getBody(byte[].class)[0] = 9;
        assertThat(m.readByte()).as("getBody returns a copy and resets the message").isEqualTo((byte) 1);
        assertThat(m.getBody(byte[].class)).containsExactly(1, 2);
        assertThat(m.readByte()).as("reset again: back at the start").isEqualTo((byte) 1);
        assertThatThrownBy(() -> m.writeByte((byte) 3)).as("and read-only")
                .isInstanceOf(MessageNotWriteableException.class);
    }

    @Test
    void failedGetBodyLeavesAWriteOnlyMessageWritable() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeByte((byte) 1);
        assertThatThrownBy(() -> m.getBody(StringBuffer.class)).isInstanceOf(MessageFormatException.class);
        m.writeByte((byte) 2);
        assertThat(m.getBody(byte[].class)).containsExactly(1, 2);
    }

    @Test
    void copyKeepsModeAndIsIndependent() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeInt(1);
        WeirBytesMessage writing = (WeirBytesMessage) m.copy();
        writing.writeInt(2);
        writing.reset();
        assertThat(writing.getBodyLength()).isEqualTo(8);
        m.reset();
        assertThat(m.getBodyLength()).isEqualTo(4);
        WeirBytesMessage reading = (WeirBytesMessage) m.copy();
        assertThat(reading.readInt()).isEqualTo(1);
    }

    @Test
    void prepareForSendResets() throws JMSException, IOException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeInt(3);
        m.prepareForSend();
        assertThat(m.getBodyLength()).isEqualTo(4);
        assertThat(m.readInt()).isEqualTo(3);
    }
}
