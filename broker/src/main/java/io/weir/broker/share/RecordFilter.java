package io.weir.broker.share;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * A filter on record headers that a share fetch applies before acquiring (a Weir extension, for JMS
 * selectors): records it does not match are not acquired and get no delivery, so they stay
 * available to other members at once.
 *
 * <p>The language is the part of the JMS selector syntax that needs no types: header values are
 * compared as UTF-8 strings.
 * <pre>
 * expr    := and ( OR and )*
 * and     := not ( AND not )*
 * not     := NOT not | primary
 * primary := '(' expr ')' | name '=' str | name '&lt;&gt;' str | name [NOT] IN '(' str ( ',' str )* ')'
 *          | name IS [NOT] NULL
 * name    := [A-Za-z_$][A-Za-z0-9_$.-]*        str := '...' ('' inside stands for ')
 * </pre>
 * Keywords are case-insensitive. As in SQL, a comparison with a missing header is unknown, and a
 * record is acquired only when the whole expression is true.
 *
 * <p>Immutable and thread-safe.
 */
public final class RecordFilter {
    private final Node root;
    private final String text;

    private RecordFilter(Node root, String text) {
        this.root = root;
        this.text = text;
    }

    /**
     * Parses a filter.
     *
     * @throws IllegalArgumentException with the position of the first error
     */
    public static RecordFilter parse(String text) {
        Parser p = new Parser(text);
        Node n = p.or();
        p.skipSpace();
        if (p.pos < text.length()) {
            throw p.error("unexpected '" + text.substring(p.pos) + "'");
        }
        return new RecordFilter(n, text);
    }

    /** Whether a record with these headers is selected (the expression is true, not false or unknown). */
    public boolean matches(Header[] headers) {
        return Boolean.TRUE.equals(root.eval(headers));
    }

    @Override
    public String toString() {
        return text;
    }

    private interface Node {
        /** TRUE, FALSE or null (unknown). */
        Boolean eval(Header[] headers);
    }

    private static String value(Header[] headers, String name) {
        String found = null;
        for (Header h : headers) {
            if (h.key().equals(name)) {
                found = h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8); // the last one wins
            }
        }
        return found;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("Filter '" + s + "' at position " + pos + ": " + what);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean keyword(String k) {
            skipSpace();
            int end = pos + k.length();
            if (end <= s.length() && s.regionMatches(true, pos, k, 0, k.length())
                    && (end == s.length() || !Character.isJavaIdentifierPart(s.charAt(end)))) {
                pos = end;
                return true;
            }
            return false;
        }

        boolean symbol(String sym) {
            skipSpace();
            if (s.startsWith(sym, pos)) {
                pos += sym.length();
                return true;
            }
            return false;
        }

        Node or() {
            Node left = and();
            while (keyword("OR")) {
                Node l = left;
                Node r = and();
                left = h -> {
                    Boolean a = l.eval(h);
                    if (Boolean.TRUE.equals(a)) {
                        return true;
                    }
                    Boolean b = r.eval(h);
                    return Boolean.TRUE.equals(b) ? Boolean.TRUE : (a == null || b == null ? null : Boolean.FALSE);
                };
            }
            return left;
        }

        Node and() {
            Node left = not();
            while (keyword("AND")) {
                Node l = left;
                Node r = not();
                left = h -> {
                    Boolean a = l.eval(h);
                    if (Boolean.FALSE.equals(a)) {
                        return false;
                    }
                    Boolean b = r.eval(h);
                    return Boolean.FALSE.equals(b) ? Boolean.FALSE : (a == null || b == null ? null : Boolean.TRUE);
                };
            }
            return left;
        }

        Node not() {
            if (keyword("NOT")) {
                Node inner = not();
                return h -> {
                    Boolean v = inner.eval(h);
                    return v == null ? null : !v;
                };
            }
            return primary();
        }

        Node primary() {
            if (symbol("(")) {
                Node n = or();
                if (!symbol(")")) {
                    throw error("')' expected");
                }
                return n;
            }
            String name = name();
            if (keyword("IS")) {
                boolean negated = keyword("NOT");
                if (!keyword("NULL")) {
                    throw error("NULL expected");
                }
                return h -> (value(h, name) == null) != negated;
            }
            if (symbol("<>")) {
                String v = string();
                return h -> {
                    String actual = value(h, name);
                    return actual == null ? null : !actual.equals(v);
                };
            }
            if (symbol("=")) {
                String v = string();
                return h -> {
                    String actual = value(h, name);
                    return actual == null ? null : actual.equals(v);
                };
            }
            boolean negated = keyword("NOT");
            if (!keyword("IN")) {
                throw error("=, <>, IN or IS expected after " + name);
            }
            if (!symbol("(")) {
                throw error("'(' expected");
            }
            List<String> values = new ArrayList<>();
            do {
                values.add(string());
            } while (symbol(","));
            if (!symbol(")")) {
                throw error("')' expected");
            }
            List<String> in = List.copyOf(values);
            return h -> {
                String actual = value(h, name);
                return actual == null ? null : in.contains(actual) != negated;
            };
        }

        String name() {
            skipSpace();
            int start = pos;
            if (pos < s.length() && (Character.isLetter(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '$')) {
                pos++;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || "_$.-".indexOf(s.charAt(pos)) >= 0)) {
                    pos++;
                }
            }
            if (start == pos) {
                throw error("header name expected");
            }
            return s.substring(start, pos);
        }

        String string() {
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) != '\'') {
                throw error("quoted string expected");
            }
            StringBuilder b = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '\'') {
                    if (pos < s.length() && s.charAt(pos) == '\'') {
                        b.append('\'');
                        pos++;
                    } else {
                        return b.toString();
                    }
                } else {
                    b.append(c);
                }
            }
        }
    }
}
