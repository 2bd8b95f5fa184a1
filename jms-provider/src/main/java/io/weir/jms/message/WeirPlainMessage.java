package io.weir.jms.message;

/** A message without a body ({@code Session.createMessage()}). */
public final class WeirPlainMessage extends WeirMessage {

    @Override
    public BodyType bodyType() {
        return BodyType.MESSAGE;
    }

    @Override
    protected WeirMessage copyBody() {
        return new WeirPlainMessage();
    }

    @Override
    protected byte[] encodeBody() {
        return null;
    }

    @Override
    protected void clearBodyContent() {
    }

    @Override
    protected boolean hasBody() {
        return false;
    }

    @Override
    protected Object bodyValue() {
        return null;
    }

    @Override
    protected Class<?> bodyClass() {
        return Object.class;
    }
}
