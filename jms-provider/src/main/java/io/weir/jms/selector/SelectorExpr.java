package io.weir.jms.selector;

import jakarta.jms.JMSException;
import jakarta.jms.Message;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * A node of a compiled selector. {@link #eval} returns a {@link Boolean}, {@link Long}, {@link Double},
 * {@link String} or null (NULL / UNKNOWN). Immutable and thread-safe.
 */
interface SelectorExpr {

    /** What can be told about a node's value before evaluation. */
    enum Kind { BOOLEAN, NUMBER, STRING, ANY }

    Object eval(Message m);

    Kind kind();

    // ------------------------------------------------------------------ leaves

    record Literal(Object value, Kind kind) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            return value;
        }
    }

    record Identifier(String name) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            try {
                Object v = switch (name) {
                    case "JMSDeliveryMode" -> m.getJMSDeliveryMode() == jakarta.jms.DeliveryMode.PERSISTENT
                            ? "PERSISTENT" : "NON_PERSISTENT";
                    case "JMSPriority" -> (long) m.getJMSPriority();
                    case "JMSMessageID" -> m.getJMSMessageID();
                    case "JMSTimestamp" -> m.getJMSTimestamp();
                    case "JMSCorrelationID" -> m.getJMSCorrelationID();
                    case "JMSType" -> m.getJMSType();
                    default -> m.getObjectProperty(name);
                };
                return normalize(v);
            } catch (JMSException e) {
                return null;
            }
        }

        @Override
        public Kind kind() {
            return switch (name) {
                case "JMSDeliveryMode", "JMSMessageID", "JMSCorrelationID", "JMSType" -> Kind.STRING;
                case "JMSPriority", "JMSTimestamp" -> Kind.NUMBER;
                default -> Kind.ANY;
            };
        }

        private static Object normalize(Object v) {
            if (v instanceof Byte || v instanceof Short || v instanceof Integer) {
                return ((Number) v).longValue();
            }
            if (v instanceof Float f) {
                return f.doubleValue();
            }
            if (v instanceof Long || v instanceof Double || v instanceof String || v instanceof Boolean || v == null) {
                return v;
            }
            return null; // not a selector type (e.g. byte[]): NULL
        }
    }

    // ------------------------------------------------------------------ logic (three-valued)

    record And(SelectorExpr left, SelectorExpr right) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            Boolean l = bool(left.eval(m));
            if (Boolean.FALSE.equals(l)) {
                return false;
            }
            Boolean r = bool(right.eval(m));
            if (Boolean.FALSE.equals(r)) {
                return false;
            }
            return l == null || r == null ? null : Boolean.TRUE;
        }

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    record Or(SelectorExpr left, SelectorExpr right) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            Boolean l = bool(left.eval(m));
            if (Boolean.TRUE.equals(l)) {
                return true;
            }
            Boolean r = bool(right.eval(m));
            if (Boolean.TRUE.equals(r)) {
                return true;
            }
            return l == null || r == null ? null : Boolean.FALSE;
        }

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    record Not(SelectorExpr operand) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            Boolean b = bool(operand.eval(m));
            return b == null ? null : !b;
        }

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    static Boolean bool(Object v) {
        return v instanceof Boolean b ? b : null;
    }

    // ------------------------------------------------------------------ comparison

    enum Op { EQ, NE, LT, LE, GT, GE }

    record Compare(Op op, SelectorExpr left, SelectorExpr right) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            return compare(op, left.eval(m), right.eval(m));
        }

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    static Boolean compare(Op op, Object l, Object r) {
        if (l == null || r == null) {
            return null;
        }
        if (l instanceof Number a && r instanceof Number b) {
            int c;
            if (a instanceof Double || b instanceof Double) {
                double x = a.doubleValue();
                double y = b.doubleValue();
                if (Double.isNaN(x) || Double.isNaN(y)) {
                    return op == Op.NE;
                }
                c = Double.compare(x, y);
                if (x == y) {
                    c = 0; // -0.0 == 0.0
                }
            } else {
                c = Long.compare(a.longValue(), b.longValue());
            }
            return switch (op) {
                case EQ -> c == 0;
                case NE -> c != 0;
                case LT -> c < 0;
                case LE -> c <= 0;
                case GT -> c > 0;
                case GE -> c >= 0;
            };
        }
        if ((l instanceof String && r instanceof String) || (l instanceof Boolean && r instanceof Boolean)) {
            return switch (op) {
                case EQ -> l.equals(r);
                case NE -> !l.equals(r);
                default -> null; // only = and <> are defined for strings and booleans
            };
        }
        return null; // unlike types: UNKNOWN
    }

    record Between(SelectorExpr value, SelectorExpr low, SelectorExpr high, boolean negated) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            Object v = value.eval(m);
            Boolean r = (Boolean) new And(new Literal(compare(Op.GE, v, low.eval(m)), Kind.BOOLEAN),
                    new Literal(compare(Op.LE, v, high.eval(m)), Kind.BOOLEAN)).eval(m);
            return r == null ? null : negated != r;
        }

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    record In(SelectorExpr value, Set<String> values, boolean negated) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            Object v = value.eval(m);
            if (!(v instanceof String s)) {
                return null;
            }
            return negated != values.contains(s);
        }

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    record Like(SelectorExpr value, Pattern pattern, boolean negated) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            Object v = value.eval(m);
            if (!(v instanceof String s)) {
                return null;
            }
            return negated != pattern.matcher(s).matches();
        }

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    record IsNull(SelectorExpr value, boolean negated) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            return negated != (value.eval(m) == null);
        }

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }
    }

    // ------------------------------------------------------------------ arithmetic

    record Negate(SelectorExpr operand) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            Object v = operand.eval(m);
            if (v instanceof Long l) {
                return -l;
            }
            if (v instanceof Double d) {
                return -d;
            }
            return null;
        }

        @Override
        public Kind kind() {
            return Kind.NUMBER;
        }
    }

    record Arithmetic(char op, SelectorExpr left, SelectorExpr right) implements SelectorExpr {
        @Override
        public Object eval(Message m) {
            Object l = left.eval(m);
            Object r = right.eval(m);
            if (!(l instanceof Number a) || !(r instanceof Number b)) {
                return null;
            }
            if (a instanceof Double || b instanceof Double) {
                double x = a.doubleValue();
                double y = b.doubleValue();
                return switch (op) {
                    case '+' -> x + y;
                    case '-' -> x - y;
                    case '*' -> x * y;
                    default -> x / y;
                };
            }
            long x = a.longValue();
            long y = b.longValue();
            return switch (op) {
                case '+' -> x + y;
                case '-' -> x - y;
                case '*' -> x * y;
                default -> y == 0 ? null : x / y; // integer division by zero: UNKNOWN
            };
        }

        @Override
        public Kind kind() {
            return Kind.NUMBER;
        }
    }
}
