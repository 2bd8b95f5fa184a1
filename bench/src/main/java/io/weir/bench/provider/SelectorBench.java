package io.weir.bench.provider;

import io.weir.jms.WeirQueue;
import io.weir.jms.message.WeirTextMessage;
import io.weir.jms.selector.MessageSelector;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.JMSException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Message selector evaluation ({@code io.weir.jms.selector}): a queue consumer with a selector evaluates it
 * on every buffered record it looks at, under the consumer engine's lock, so its cost bounds how fast a
 * selective consumer can skip messages left for others. {@code matches}: one evaluation of a compiled
 * selector on a message whose properties make it match (the whole expression is walked); {@code compile}:
 * parsing, paid once per consumer.
 *
 * <p>Selectors: {@code equality} {@code region = 'emea'}; {@code compound} a mix of comparison, arithmetic,
 * {@code BETWEEN} and a header field; {@code likeIn} {@code LIKE} with wildcards and {@code IN} over strings.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SelectorBench {

    @Param({"equality", "compound", "likeIn"})
    public String selector;

    private String expression;
    private MessageSelector compiled;
    private WeirTextMessage message;

    static String expression(String name) {
        return switch (name) {
            case "equality" -> "region = 'emea'";
            case "compound" -> "(region = 'emea' OR region = 'apac') AND weight * 2 > 4000 AND amount BETWEEN 10 AND 100"
                    + " AND JMSPriority >= 4 AND NOT express = FALSE";
            case "likeIn" -> "sku LIKE 'AB-%-__9' AND channel IN ('web', 'mobile', 'store') AND customer IS NOT NULL";
            default -> throw new IllegalArgumentException("unknown selector " + name);
        };
    }

    @Setup(Level.Trial)
    public void setUp() throws JMSException {
        expression = expression(selector);
        compiled = MessageSelector.compile(expression);
        message = new WeirTextMessage();
        message.setText("hello");
        message.setJMSDestination(new WeirQueue("orders"));
        message.setJMSPriority(5);
        message.setStringProperty("region", "emea");
        message.setIntProperty("weight", 2_500);
        message.setDoubleProperty("amount", 99.95);
        message.setBooleanProperty("express", true);
        message.setStringProperty("sku", "AB-1234-XY9");
        message.setStringProperty("channel", "store");
        message.setLongProperty("customer", 7_700_000_123L);
        if (!compiled.matches(message)) {
            throw new IllegalStateException("the benchmark message must match " + expression);
        }
    }

    @Benchmark
    public boolean matches() {
        return compiled.matches(message);
    }

    @Benchmark
    public MessageSelector compile() throws InvalidSelectorException {
        return MessageSelector.compile(expression);
    }
}
