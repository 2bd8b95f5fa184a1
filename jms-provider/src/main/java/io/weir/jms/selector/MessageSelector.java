package io.weir.jms.selector;

import jakarta.jms.InvalidSelectorException;
import jakarta.jms.Message;

/** Placeholder until the selector engine is merged: only the empty selector. */
public final class MessageSelector {
    private static final MessageSelector ALL = new MessageSelector(null);
    private final String expression;

    private MessageSelector(String expression) {
        this.expression = expression;
    }

    public static MessageSelector compile(String expression) throws InvalidSelectorException {
        if (expression == null || expression.isBlank()) {
            return ALL;
        }
        throw new InvalidSelectorException("Selectors are not supported yet: " + expression);
    }

    public boolean matches(Message m) {
        return true;
    }

    public String expression() {
        return expression;
    }
}
