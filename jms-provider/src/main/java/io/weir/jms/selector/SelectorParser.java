package io.weir.jms.selector;

import io.weir.jms.selector.SelectorExpr.Kind;
import jakarta.jms.InvalidSelectorException;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A recursive-descent parser for the selector grammar, with its own lexer. Precedence, lowest first:
 * OR; AND; NOT; comparison / BETWEEN / IN / LIKE / IS NULL; + -; * /; unary + -. Keywords are
 * case-insensitive, identifiers case-sensitive. Not thread-safe; one instance per compilation.
 */
final class SelectorParser {

    private enum T { IDENT, STRING, EXACT, APPROX, TRUE, FALSE, NULL, AND, OR, NOT, BETWEEN, LIKE, IN, IS, ESCAPE,
        EQ, NE, LT, LE, GT, GE, PLUS, MINUS, STAR, SLASH, LPAREN, RPAREN, COMMA, EOF }

    private record Token(T type, String text, Object value, int pos) {
    }

    private final String src;
    private int pos;
    private Token current;

    SelectorParser(String src) {
        this.src = src;
    }

    SelectorExpr parse() throws InvalidSelectorException {
        advance();
        SelectorExpr e = orExpr();
        if (current.type != T.EOF) {
            throw error("unexpected '" + current.text + "'", current.pos);
        }
        if (e.kind() != Kind.BOOLEAN && e.kind() != Kind.ANY) {
            throw error("the selector is not a conditional expression", 0);
        }
        if (e.kind() == Kind.ANY && !(e instanceof SelectorExpr.Identifier)) {
            throw error("the selector is not a conditional expression", 0);
        }
        return e;
    }

    // ------------------------------------------------------------------ grammar

    private SelectorExpr orExpr() throws InvalidSelectorException {
        SelectorExpr left = andExpr();
        while (current.type == T.OR) {
            int at = current.pos;
            advance();
            left = new SelectorExpr.Or(requireBoolean(left, at), requireBoolean(andExpr(), at));
        }
        return left;
    }

    private SelectorExpr andExpr() throws InvalidSelectorException {
        SelectorExpr left = notExpr();
        while (current.type == T.AND) {
            int at = current.pos;
            advance();
            left = new SelectorExpr.And(requireBoolean(left, at), requireBoolean(notExpr(), at));
        }
        return left;
    }

    private SelectorExpr notExpr() throws InvalidSelectorException {
        if (current.type == T.NOT) {
            int at = current.pos;
            advance();
            return new SelectorExpr.Not(requireBoolean(notExpr(), at));
        }
        return predicate();
    }

    private SelectorExpr predicate() throws InvalidSelectorException {
        SelectorExpr left = additive();
        int at = current.pos;
        switch (current.type) {
            case EQ, NE, LT, LE, GT, GE -> {
                T op = current.type;
                advance();
                SelectorExpr right = additive();
                return comparison(op, left, right, at);
            }
            case IS -> {
                advance();
                boolean negated = accept(T.NOT);
                expect(T.NULL, "NULL after IS");
                return new SelectorExpr.IsNull(left, negated);
            }
            case NOT -> {
                advance();
                return special(left, true, at);
            }
            case BETWEEN, IN, LIKE -> {
                return special(left, false, at);
            }
            default -> {
                return left;
            }
        }
    }

    private SelectorExpr special(SelectorExpr left, boolean negated, int at) throws InvalidSelectorException {
        switch (current.type) {
            case BETWEEN -> {
                advance();
                requireNumeric(left, at, "BETWEEN");
                SelectorExpr low = additive();
                expect(T.AND, "AND in BETWEEN");
                SelectorExpr high = additive();
                requireNumeric(low, at, "BETWEEN");
                requireNumeric(high, at, "BETWEEN");
                return new SelectorExpr.Between(left, low, high, negated);
            }
            case IN -> {
                advance();
                requireIdentifier(left, at, "IN");
                expect(T.LPAREN, "'(' after IN");
                Set<String> values = new HashSet<>();
                do {
                    if (current.type != T.STRING) {
                        throw error("IN takes string literals only", current.pos);
                    }
                    values.add((String) current.value);
                    advance();
                } while (accept(T.COMMA));
                expect(T.RPAREN, "')' closing IN");
                return new SelectorExpr.In(left, Set.copyOf(values), negated);
            }
            case LIKE -> {
                advance();
                requireIdentifier(left, at, "LIKE");
                if (current.type != T.STRING) {
                    throw error("LIKE takes a string literal pattern", current.pos);
                }
                String pattern = (String) current.value;
                advance();
                Character escape = null;
                if (accept(T.ESCAPE)) {
                    if (current.type != T.STRING || ((String) current.value).length() != 1) {
                        throw error("ESCAPE takes a string literal of one character", current.pos);
                    }
                    escape = ((String) current.value).charAt(0);
                    advance();
                }
                return new SelectorExpr.Like(left, likePattern(pattern, escape, at), negated);
            }
            default -> throw error("expected BETWEEN, IN or LIKE after NOT", current.pos);
        }
    }

    private SelectorExpr comparison(T op, SelectorExpr left, SelectorExpr right, int at) throws InvalidSelectorException {
        Kind l = left.kind();
        Kind r = right.kind();
        if (l != Kind.ANY && r != Kind.ANY && l != r) {
            throw error("cannot compare a " + name(l) + " with a " + name(r), at);
        }
        boolean ordering = op != T.EQ && op != T.NE;
        if (ordering && (l == Kind.STRING || l == Kind.BOOLEAN || r == Kind.STRING || r == Kind.BOOLEAN)) {
            throw error("only = and <> compare strings and booleans", at);
        }
        SelectorExpr.Op o = switch (op) {
            case EQ -> SelectorExpr.Op.EQ;
            case NE -> SelectorExpr.Op.NE;
            case LT -> SelectorExpr.Op.LT;
            case LE -> SelectorExpr.Op.LE;
            case GT -> SelectorExpr.Op.GT;
            default -> SelectorExpr.Op.GE;
        };
        return new SelectorExpr.Compare(o, left, right);
    }

    private SelectorExpr additive() throws InvalidSelectorException {
        SelectorExpr left = multiplicative();
        while (current.type == T.PLUS || current.type == T.MINUS) {
            char op = current.type == T.PLUS ? '+' : '-';
            int at = current.pos;
            advance();
            SelectorExpr right = multiplicative();
            left = new SelectorExpr.Arithmetic(op, requireNumeric(left, at, "arithmetic"), requireNumeric(right, at, "arithmetic"));
        }
        return left;
    }

    private SelectorExpr multiplicative() throws InvalidSelectorException {
        SelectorExpr left = unary();
        while (current.type == T.STAR || current.type == T.SLASH) {
            char op = current.type == T.STAR ? '*' : '/';
            int at = current.pos;
            advance();
            SelectorExpr right = unary();
            left = new SelectorExpr.Arithmetic(op, requireNumeric(left, at, "arithmetic"), requireNumeric(right, at, "arithmetic"));
        }
        return left;
    }

    private SelectorExpr unary() throws InvalidSelectorException {
        int at = current.pos;
        if (accept(T.MINUS)) {
            if (current.type == T.EXACT || current.type == T.APPROX) {
                // fold into the literal so that -9223372036854775808 is representable
                Token t = current;
                advance();
                return t.type == T.EXACT ? new SelectorExpr.Literal(negateExact(t), Kind.NUMBER)
                        : new SelectorExpr.Literal(-(Double) t.value, Kind.NUMBER);
            }
            return new SelectorExpr.Negate(requireNumeric(unary(), at, "unary minus"));
        }
        if (accept(T.PLUS)) {
            return requireNumeric(unary(), at, "unary plus");
        }
        return primary();
    }

    private Long negateExact(Token t) throws InvalidSelectorException {
        Object v = t.value;
        if (v instanceof String big) { // 9223372036854775808 only valid negated
            if (big.equals("9223372036854775808")) {
                return Long.MIN_VALUE;
            }
            throw error("number out of range: " + t.text, t.pos);
        }
        return -(Long) v;
    }

    private SelectorExpr primary() throws InvalidSelectorException {
        Token t = current;
        switch (t.type) {
            case STRING -> {
                advance();
                return new SelectorExpr.Literal(t.value, Kind.STRING);
            }
            case EXACT -> {
                advance();
                if (t.value instanceof String) {
                    throw error("number out of range: " + t.text, t.pos);
                }
                return new SelectorExpr.Literal(t.value, Kind.NUMBER);
            }
            case APPROX -> {
                advance();
                return new SelectorExpr.Literal(t.value, Kind.NUMBER);
            }
            case TRUE, FALSE -> {
                advance();
                return new SelectorExpr.Literal(t.type == T.TRUE, Kind.BOOLEAN);
            }
            case NULL -> throw error("NULL may only appear in IS [NOT] NULL", t.pos);
            case IDENT -> {
                advance();
                return new SelectorExpr.Identifier(t.text);
            }
            case LPAREN -> {
                advance();
                SelectorExpr e = orExpr();
                expect(T.RPAREN, "')'");
                return e;
            }
            case EOF -> throw error("unexpected end of selector", t.pos);
            default -> throw error("unexpected '" + t.text + "'", t.pos);
        }
    }

    // ------------------------------------------------------------------ checks

    private SelectorExpr requireBoolean(SelectorExpr e, int at) throws InvalidSelectorException {
        if (e.kind() == Kind.NUMBER || e.kind() == Kind.STRING) {
            throw error("a " + name(e.kind()) + " is used where a condition is expected", at);
        }
        return e;
    }

    private SelectorExpr requireNumeric(SelectorExpr e, int at, String where) throws InvalidSelectorException {
        if (e.kind() == Kind.STRING || e.kind() == Kind.BOOLEAN) {
            throw error(where + " needs numbers, not a " + name(e.kind()), at);
        }
        return e;
    }

    private void requireIdentifier(SelectorExpr e, int at, String where) throws InvalidSelectorException {
        if (!(e instanceof SelectorExpr.Identifier) || e.kind() == Kind.NUMBER) {
            throw error(where + " applies to a string identifier", at);
        }
    }

    private static String name(Kind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    private Pattern likePattern(String pattern, Character escape, int at) throws InvalidSelectorException {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (escape != null && c == escape) {
                if (i + 1 >= pattern.length()) {
                    throw error("LIKE pattern ends with its escape character", at);
                }
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    // ------------------------------------------------------------------ lexer

    private boolean accept(T type) throws InvalidSelectorException {
        if (current.type == type) {
            advance();
            return true;
        }
        return false;
    }

    private void expect(T type, String what) throws InvalidSelectorException {
        if (current.type != type) {
            throw error("expected " + what + " but found " + (current.type == T.EOF ? "the end" : "'" + current.text + "'"),
                    current.pos);
        }
        advance();
    }

    private InvalidSelectorException error(String problem, int at) {
        return new InvalidSelectorException("Invalid selector \"" + src + "\" at position " + at + ": " + problem);
    }

    private void advance() throws InvalidSelectorException {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            pos++;
        }
        int start = pos;
        if (pos >= src.length()) {
            current = new Token(T.EOF, "", null, pos);
            return;
        }
        char c = src.charAt(pos);
        if (c == '\'') {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= src.length()) {
                    throw error("unterminated string literal", start);
                }
                char d = src.charAt(pos++);
                if (d == '\'') {
                    if (pos < src.length() && src.charAt(pos) == '\'') {
                        sb.append('\'');
                        pos++;
                    } else {
                        break;
                    }
                } else {
                    sb.append(d);
                }
            }
            current = new Token(T.STRING, src.substring(start, pos), sb.toString(), start);
            return;
        }
        if (Character.isDigit(c) || (c == '.' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
            current = number(start);
            return;
        }
        if (Character.isJavaIdentifierStart(c)) {
            while (pos < src.length() && Character.isJavaIdentifierPart(src.charAt(pos))) {
                pos++;
            }
            String word = src.substring(start, pos);
            T kw = switch (word.toUpperCase(Locale.ROOT)) {
                case "TRUE" -> T.TRUE;
                case "FALSE" -> T.FALSE;
                case "NULL" -> T.NULL;
                case "AND" -> T.AND;
                case "OR" -> T.OR;
                case "NOT" -> T.NOT;
                case "BETWEEN" -> T.BETWEEN;
                case "LIKE" -> T.LIKE;
                case "IN" -> T.IN;
                case "IS" -> T.IS;
                case "ESCAPE" -> T.ESCAPE;
                default -> T.IDENT;
            };
            current = new Token(kw, word, null, start);
            return;
        }
        pos++;
        T type = switch (c) {
            case '=' -> T.EQ;
            case '<' -> {
                if (pos < src.length() && src.charAt(pos) == '>') {
                    pos++;
                    yield T.NE;
                }
                if (pos < src.length() && src.charAt(pos) == '=') {
                    pos++;
                    yield T.LE;
                }
                yield T.LT;
            }
            case '>' -> {
                if (pos < src.length() && src.charAt(pos) == '=') {
                    pos++;
                    yield T.GE;
                }
                yield T.GT;
            }
            case '+' -> T.PLUS;
            case '-' -> T.MINUS;
            case '*' -> T.STAR;
            case '/' -> T.SLASH;
            case '(' -> T.LPAREN;
            case ')' -> T.RPAREN;
            case ',' -> T.COMMA;
            default -> throw error("unexpected character '" + c + "'", start);
        };
        current = new Token(type, src.substring(start, pos), null, start);
    }

    private Token number(int start) throws InvalidSelectorException {
        // hexadecimal
        if (src.startsWith("0x", pos) || src.startsWith("0X", pos)) {
            pos += 2;
            int digits = pos;
            while (pos < src.length() && Character.digit(src.charAt(pos), 16) >= 0) {
                pos++;
            }
            String hex = src.substring(digits, pos);
            skipSuffix("lL");
            try {
                return new Token(T.EXACT, src.substring(start, pos), Long.parseUnsignedLong(hex, 16), start);
            } catch (NumberFormatException e) {
                throw error("bad hexadecimal number", start);
            }
        }
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
            pos++;
        }
        boolean approx = false;
        if (pos < src.length() && src.charAt(pos) == '.') {
            approx = true;
            pos++;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                pos++;
            }
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            approx = true;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            int exp = pos;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                pos++;
            }
            if (exp == pos) {
                throw error("exponent without digits", start);
            }
        }
        String text = src.substring(start, pos);
        if (pos < src.length() && "fFdD".indexOf(src.charAt(pos)) >= 0) {
            pos++;
            approx = true;
        }
        if (approx) {
            try {
                return new Token(T.APPROX, src.substring(start, pos), Double.parseDouble(text), start);
            } catch (NumberFormatException e) {
                throw error("bad number " + text, start);
            }
        }
        skipSuffix("lL");
        try {
            long v = text.length() > 1 && text.startsWith("0") ? Long.parseLong(text, 8) : Long.parseLong(text);
            return new Token(T.EXACT, src.substring(start, pos), v, start);
        } catch (NumberFormatException e) {
            if (text.equals("9223372036854775808")) {
                return new Token(T.EXACT, text, text, start);
            }
            throw error("bad or out-of-range number " + text, start);
        }
    }

    private void skipSuffix(String chars) {
        if (pos < src.length() && chars.indexOf(src.charAt(pos)) >= 0) {
            pos++;
        }
    }
}
