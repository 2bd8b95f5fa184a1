package io.weir.jms.selector;

import io.weir.jms.message.WeirMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageSelectorTest {

    private static Message message() throws Exception {
        WeirMessage m = WeirMessage.create();
        m.setIntProperty("i", 5);
        m.setLongProperty("l", 10L);
        m.setByteProperty("b", (byte) 2);
        m.setShortProperty("sh", (short) 3);
        m.setDoubleProperty("d", 2.5);
        m.setFloatProperty("f", 1.5f);
        m.setStringProperty("s", "hello");
        m.setStringProperty("num", "5");
        m.setBooleanProperty("t", true);
        m.setBooleanProperty("fa", false);
        m.setStringProperty("under", "a_b%c");
        m.setJMSType("car");
        m.setJMSPriority(7);
        m.setJMSDeliveryMode(DeliveryMode.PERSISTENT);
        m.setJMSCorrelationID("corr-1");
        m.setJMSMessageID("ID:42");
        m.setJMSTimestamp(1000);
        return m;
    }

    private static boolean matches(String selector) throws Exception {
        return MessageSelector.compile(selector).matches(message());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "i = 5|true", "i <> 5|false", "i > 4 AND i < 6|true", "i >= 5 AND i <= 5|true",
            "l = 10|true", "b = 2|true", "sh = 3|true", "d = 2.5|true", "f = 1.5|true", "i = 5.0|true",
            "i + l = 15|true", "l / 4 = 2|true", "l / 4.0 = 2.5|true", "i * 2 - 1 = 9|true", "-i = -5|true",
            "- -i = 5|true", "+i = 5|true", "i / 0 = 1|false", "i / 0 = 1 OR TRUE|true",
            "s = 'hello'|true", "s <> 'hello'|false", "num = 5|false", "num = '5'|true",
            "t|true", "fa|false", "t = TRUE|true", "NOT t|false", "NOT fa|true", "t AND fa|false", "t OR fa|true",
            "missing = 5|false", "NOT missing = 5|false", "missing IS NULL|true", "missing IS NOT NULL|false",
            "s IS NOT NULL|true", "missing = 5 OR t|true", "missing = 5 AND fa|false", "missing = 5 AND t|false",
            "NOT (missing = 5 AND fa)|true", "NOT (missing = 5 OR fa)|false",
            "i BETWEEN 1 AND 5|true", "i BETWEEN 6 AND 9|false", "i NOT BETWEEN 6 AND 9|true",
            "missing BETWEEN 1 AND 2|false", "missing NOT BETWEEN 1 AND 2|false", "d BETWEEN 2 AND 3|true",
            "s IN ('a', 'hello')|true", "s IN ('a')|false", "s NOT IN ('a')|true", "missing IN ('a')|false",
            "missing NOT IN ('a')|false", "s LIKE 'he%'|true", "s LIKE 'h_llo'|true", "s LIKE 'h_lo'|false",
            "s NOT LIKE 'x%'|true", "missing LIKE 'x'|false", "missing NOT LIKE 'x'|false",
            "under LIKE 'a\\_b\\%c' ESCAPE '\\'|true", "under LIKE 'a!_b%' ESCAPE '!'|true", "s LIKE 'a!_b%' ESCAPE '!'|false",
            "JMSType = 'car'|true", "JMSPriority > 5|true", "JMSDeliveryMode = 'PERSISTENT'|true",
            "JMSDeliveryMode = 'NON_PERSISTENT'|false", "JMSCorrelationID = 'corr-1'|true", "JMSMessageID = 'ID:42'|true",
            "JMSTimestamp = 1000|true", "JMSXDeliveryCount IS NULL|true", "JMSExpiration IS NULL|true",
            "s = 5|false", "t = 1|false", "i = 'x'|false",
            "i = 5 and s = 'hello'|true", "i=5 Or fa|true", "(i = 4 OR i = 5) AND NOT (s = 'x')|true",
            "i = 0x5|true", "i = 05|true", "l = 10L|true", "d = 25E-1|true", "d = .25e1|true", "f = 1.5f|true",
            "i > 4 AND i < 6 AND s LIKE '%llo' AND s IN ('hello') AND t AND NOT fa|true",
            "TRUE|true", "FALSE|false", "t = fa|false", "t <> fa|true"
    })
    void evaluates(String selector, boolean expected) throws Exception {
        assertThat(matches(selector)).as(selector).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "i =", "= 5", "i = 5 AND", "(i = 5", "i = 5)", "i == 5", "s LIKE 5", "5 LIKE 'a'", "i IN (1, 2)",
            "s IN ()", "s IN 'a'", "'a'", "5", "i + 1", "s = 'unterminated", "NULL = 5", "i IS 5", "s LIKE 'a' ESCAPE 'ab'",
            "i BETWEEN 1", "i BETWEEN 'a' AND 'b'", "'a' + 1 = 2", "'a' > 'b'", "TRUE < FALSE", "5 = 'a'", "TRUE = 1",
            "NOT 5", "i = 5 AND 7", "AND = 5", "OR", "i = 5 # 6", "x.y = 1", "s NOT 'a'", "i = 9223372036854775808",
            "s LIKE 'a!' ESCAPE '!'", "i = 1e", "JMSPriority LIKE 'a'", "s > 'a'"
    })
    void rejectsInvalid(String selector) {
        assertThatThrownBy(() -> MessageSelector.compile(selector)).as(selector)
                .isInstanceOf(InvalidSelectorException.class)
                .hasMessageContaining("position");
    }

    @Test
    void blankMatchesEverything() throws Exception {
        assertThat(MessageSelector.compile(null).matches(message())).isTrue();
        assertThat(MessageSelector.compile("  ").matches(message())).isTrue();
        assertThat(MessageSelector.compile(null).expression()).isNull();
    }

    @Test
    void longMinValueLiteral() throws Exception {
        WeirMessage m = WeirMessage.create();
        m.setLongProperty("x", Long.MIN_VALUE);
        assertThat(MessageSelector.compile("x = -9223372036854775808").matches(m)).isTrue();
    }

    /** Random integer arithmetic and comparisons against Java's own evaluation. */
    @Test
    void randomArithmeticAgreesWithJava() throws Exception {
        Random random = new Random(42);
        for (int n = 0; n < 2000; n++) {
            long a = random.nextInt(200) - 100;
            long b = random.nextInt(200) - 100;
            long c = random.nextInt(200) - 100;
            WeirMessage m = WeirMessage.create();
            m.setLongProperty("a", a);
            m.setIntProperty("b", (int) b);
            String[] ops = {"+", "-", "*"};
            String op1 = ops[random.nextInt(3)];
            String op2 = ops[random.nextInt(3)];
            long expected = apply(op1, a, op2.equals("*") ? apply(op2, b, c) : b);
            if (!op2.equals("*")) {
                expected = apply(op2, apply(op1, a, b), c);
                if (op1.equals("*")) {
                    expected = apply(op2, a * b, c);
                } else {
                    expected = apply(op2, apply(op1, a, b), c);
                }
            }
            String sel = "a " + op1 + " b " + op2 + " " + c + " = " + expected;
            assertThat(MessageSelector.compile(sel).matches(m)).as(sel).isTrue();
            String lt = "a " + op1 + " b " + op2 + " " + c + " < " + expected;
            assertThat(MessageSelector.compile(lt).matches(m)).as(lt).isFalse();
        }
    }

    private static long apply(String op, long x, long y) {
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            default -> x * y;
        };
    }
}
