package io.weir.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;

import java.nio.charset.StandardCharsets;

/** A message whose body is a String (null allowed). */
public final class WeirTextMessage extends WeirMessage implements TextMessage {

    private String text;

    public WeirTextMessage() {
    }

    public WeirTextMessage(String text) {
        this.text = text;
    }

    @Override
    public BodyType bodyType() {
        return BodyType.TEXT;
    }

    @Override
    public void setText(String text) throws JMSException {
        checkBodyWritable();
        this.text = text;
    }

    @Override
    public String getText() {
        return text;
    }

    @Override
    protected WeirMessage copyBody() {
        return new WeirTextMessage(text);
    }

    /** UTF-8 text; null text encodes as a null record value. */
    @Override
    protected byte[] encodeBody() {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void clearBodyContent() {
        text = null;
    }

    @Override
    protected boolean hasBody() {
        return text != null;
    }

    @Override
    protected Object bodyValue() {
        return text;
    }

    @Override
    protected Class<?> bodyClass() {
        return String.class;
    }

    @Override
    public String toString() {
        String shown = text == null ? "null" : text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return super.toString() + " text=" + shown;
    }
}
