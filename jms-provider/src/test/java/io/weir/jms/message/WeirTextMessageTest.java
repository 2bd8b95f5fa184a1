package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TextMessage and the body-less message, including getBody/isBodyAssignableTo. */
class WeirTextMessageTest {

    @Test
    void textAndReadOnlyRules() throws JMSException {
        WeirTextMessage m = new WeirTextMessage();
        assertThat(m.getText()).isNull();
        m.setText("a");
        m.setText("b");
        assertThat(m.getText()).isEqualTo("b");
        m.markReadOnly();
        assertThatThrownBy(() -> m.setText("c")).isInstanceOf(MessageNotWriteableException.class);
        m.clearBody();
        assertThat(m.getText()).isNull();
        m.setText("d");
        assertThat(m.getText()).isEqualTo("d");
    }

    @Test
    void getBodyRules() throws JMSException {
        WeirTextMessage m = new WeirTextMessage();
        assertThat(m.getBody(Integer.class)).as("null text: no body").isNull();
        assertThat(m.isBodyAssignableTo(Integer.class)).isTrue();
        m.setText("t");
        assertThat(m.getBody(String.class)).isEqualTo("t");
        assertThat(m.getBody(CharSequence.class)).isEqualTo("t");
        assertThat(m.getBody(Object.class)).isEqualTo("t");
        assertThat(m.isBodyAssignableTo(String.class)).isTrue();
        assertThat(m.isBodyAssignableTo(byte[].class)).isFalse();
        assertThatThrownBy(() -> m.getBody(byte[].class)).isInstanceOf(MessageFormatException.class);
        m.setText("");
        assertThat(m.getBody(String.class)).as("empty text is a body").isEmpty();
        assertThatThrownBy(() -> m.getBody(Integer.class)).isInstanceOf(MessageFormatException.class);
    }

    @Test
    void plainMessageHasNoBody() throws JMSException {
        WeirMessage m = WeirMessage.create();
        assertThat(m.getBody(Object.class)).isNull();
        assertThat(m.getBody(String.class)).isNull();
        assertThat(m.isBodyAssignableTo(byte[].class)).isTrue();
        m.markReadOnly();
        m.clearBody();
        assertThat(m.copy()).isInstanceOf(WeirPlainMessage.class);
    }
}
