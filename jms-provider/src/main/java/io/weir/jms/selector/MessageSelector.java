package io.weir.jms.selector;

import jakarta.jms.InvalidSelectorException;
import jakarta.jms.Message;

/**
 * A compiled JMS message selector (Jakarta Messaging 3.1, section 3.8.1): an SQL-92 conditional expression over
 * header fields and properties, with three-valued logic. Compiled once (syntax and the type errors that can be
 * seen without a message are reported by {@link #compile}); {@link #matches} is then a walk over the tree and is
 * safe to call from several threads.
 */
public final class MessageSelector {

    private static final MessageSelector ALL = new MessageSelector(null, null);

    private final String expression;
    private final SelectorExpr root;

    private MessageSelector(String expression, SelectorExpr root) {
        this.expression = expression;
        this.root = root;
    }

    /**
     * Compiles {@code expression}; null or blank gives the selector that matches every message.
     *
     * @throws InvalidSelectorException naming the position and the problem
     */
    public static MessageSelector compile(String expression) throws InvalidSelectorException {
        if (expression == null || expression.isBlank()) {
            return ALL;
        }
        return new MessageSelector(expression, new SelectorParser(expression).parse());
    }

    /** True when the expression is TRUE for {@code message}; FALSE and UNKNOWN do not match. */
    public boolean matches(Message message) {
        if (root == null) {
            return true;
        }
        try {
            return Boolean.TRUE.equals(root.eval(message));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The parsed expression, or null for the match-all selector. */
    SelectorExpr root() {
        return root;
    }

    /** The expression as given, or null for the match-all selector. */
    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression == null ? "MessageSelector(all)" : "MessageSelector(" + expression + ")";
    }
}
