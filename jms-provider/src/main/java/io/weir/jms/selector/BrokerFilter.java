package io.weir.jms.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The part of a JMS selector a Weir broker can apply in a share fetch (the group config
 * {@code weir.share.filter.<client.id>}, see broker/SHARE-GROUPS.md): the broker then acquires only the records it
 * matches, and the others stay on the queue for other consumers, with no delivery counted.
 *
 * <p>The broker's language compares record headers as UTF-8 text: {@code =}, {@code <>}, {@code [NOT] IN},
 * {@code IS [NOT] NULL}, {@code AND}, {@code OR}, {@code NOT}, parentheses. A selector node is pushed down when it
 * is one of those over a property (a record header of its own name, see WIRE-FORMAT.md) or {@code JMSType}
 * ({@code jms.type}) with String literals, or an {@code =}/{@code <>} with a boolean literal ({@code TRUE},
 * {@code FALSE}: compared with the text {@code true}/{@code false} a boolean property is written as). {@code NOT} is never pushed down.
 *
 * <p><b>Why this is safe.</b> Whenever the JMS selector is TRUE for a message, the pushed-down filter is TRUE for
 * its record: for each pushed comparison a String property equal (or unequal) to a String literal has exactly
 * that text in its header (a boolean property equal or unequal to a boolean literal: {@code true}/{@code false}), and {@code IS [NOT] NULL} reads the same on both sides; AND and OR keep that
 * implication, NOT would reverse it (a non-String property whose text happens to equal the literal is UNKNOWN to
 * the selector but TRUE to the broker). So the broker never withholds a message the consumer selects. The filter
 * may select more than the selector (then the consumer's own check hands those back, counted as before):
 * <ul>
 * <li>{@link #exact()}: the whole selector was pushed down; the only messages the broker selects and the
 * selector does not are those comparing a non-String property's text with a String literal;</li>
 * <li>otherwise only some conjuncts of a top-level {@code AND} chain were pushed down (e.g. {@code color = 'red'}
 * of {@code color = 'red' AND price > 5}).</li>
 * </ul>
 *
 * @param text  the filter, in the broker's syntax
 * @param exact whether it is the whole selector
 */
public record BrokerFilter(String text, boolean exact) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    /** The broker filter of {@code selector}, or empty when no part of it can be pushed down. */
    public static Optional<BrokerFilter> of(MessageSelector selector) {
        SelectorExpr root = selector.root();
        if (root == null) {
            return Optional.empty();
        }
        String whole = text(root);
        if (whole != null) {
            return Optional.of(new BrokerFilter(whole, true));
        }
        List<String> parts = new ArrayList<>();
        for (SelectorExpr conjunct : conjuncts(root, new ArrayList<>())) {
            String t = text(conjunct);
            if (t != null) {
                parts.add(t);
            }
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(new BrokerFilter(String.join(" AND ", parts), false));
    }

    private static List<SelectorExpr> conjuncts(SelectorExpr e, List<SelectorExpr> out) {
        if (e instanceof SelectorExpr.And and) {
            conjuncts(and.left(), out);
            conjuncts(and.right(), out);
        } else {
            out.add(e);
        }
        return out;
    }

    /** The broker text of a node that can be pushed down as a whole, else null. */
    private static String text(SelectorExpr e) {
        if (e instanceof SelectorExpr.And and) {
            return binary(and.left(), "AND", and.right());
        }
        if (e instanceof SelectorExpr.Or or) {
            return binary(or.left(), "OR", or.right());
        }
        if (e instanceof SelectorExpr.Compare c && (c.op() == SelectorExpr.Op.EQ || c.op() == SelectorExpr.Op.NE)) {
            String op = c.op() == SelectorExpr.Op.EQ ? " = " : " <> ";
            String name = header(c.left());
            String literal = string(c.right());
            if (name == null || literal == null) {
                name = header(c.right());
                literal = string(c.left());
            }
            return name == null || literal == null ? null : name + op + literal;
        }
        if (e instanceof SelectorExpr.In in) {
            String name = header(in.value());
            if (name == null || in.values().isEmpty()) {
                return null;
            }
            List<String> literals = in.values().stream().sorted().map(BrokerFilter::quote).toList();
            return name + (in.negated() ? " NOT IN (" : " IN (") + String.join(", ", literals) + ")";
        }
        if (e instanceof SelectorExpr.IsNull isNull) {
            String name = header(isNull.value());
            return name == null ? null : name + (isNull.negated() ? " IS NOT NULL" : " IS NULL");
        }
        return null;
    }

    private static String binary(SelectorExpr left, String op, SelectorExpr right) {
        String l = text(left);
        String r = l == null ? null : text(right);
        return r == null ? null : "(" + l + " " + op + " " + r + ")";
    }

    /** The record header an identifier reads, when the broker sees it as the selector does; else null. */
    private static String header(SelectorExpr e) {
        if (!(e instanceof SelectorExpr.Identifier id)) {
            return null;
        }
        if (id.name().equals("JMSType")) {
            return "jms.type";
        }
        // other JMS header fields and JMSX properties are not stored as a header of their own name
        if (id.name().startsWith("JMS") || !NAME.matcher(id.name()).matches()) {
            return null;
        }
        return id.name();
    }

    /**
     * The broker literal of a String literal, or of a boolean literal: a boolean property's header text is exactly
     * {@code true} or {@code false} (WIRE-FORMAT.md), so {@code flag = TRUE} is pushed down as {@code flag = 'true'}
     * (TRUE for a boolean property that is true, and also, for the consumer's own check to hand back, for a String
     * property whose text is "true").
     */
    private static String string(SelectorExpr e) {
        if (e instanceof SelectorExpr.Literal l && l.value() instanceof Boolean b) {
            return quote(b.toString());
        }
        return e instanceof SelectorExpr.Literal l && l.value() instanceof String s ? quote(s) : null;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
