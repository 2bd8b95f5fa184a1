package io.weir.jms.selector;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.share.RecordFilter;
import io.weir.jms.message.MessageCodec;
import io.weir.jms.message.WeirMessage;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrokerFilterTest {

    private static Optional<BrokerFilter> filter(String selector) throws Exception {
        return BrokerFilter.of(MessageSelector.compile(selector));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "color = 'red'                                  | color = 'red'",
            "'red' = color                                  | color = 'red'",
            "color <> 'it''s'                               | color <> 'it''s'",
            "color IN ('b', 'a')                            | color IN ('a', 'b')",
            "color NOT IN ('a')                             | color NOT IN ('a')",
            "color IS NULL OR JMSType = 't'                 | (color IS NULL OR jms.type = 't')",
            "a = 'x' AND (b = 'y' OR c IS NOT NULL)         | (a = 'x' AND (b = 'y' OR c IS NOT NULL))",
            "lastMessage = TRUE                             | lastMessage = 'true'",
            "FALSE <> flag                                  | flag <> 'false'",
    })
    void wholeSelectorsInTheBrokersSubsetArePushedDownExactly(String selector, String expected) throws Exception {
        assertThat(filter(selector)).contains(new BrokerFilter(expected, true));
        RecordFilter.parse(expected); // the broker accepts it
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "color = 'red' AND price > 5                    | color = 'red'",
            "price > 5 AND color = 'red' AND size IN ('L')  | color = 'red' AND size IN ('L')",
            "NOT (a = 'x') AND b = 'y'                      | b = 'y'",
            "JMSPriority > 4 AND JMSType = 'order'          | jms.type = 'order'",
    })
    void theConjunctsThatFitArePushedDownOfAnAndChain(String selector, String expected) throws Exception {
        assertThat(filter(selector)).contains(new BrokerFilter(expected, false));
        RecordFilter.parse(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "price > 5",
            "NOT (color = 'red')",
            "color LIKE 'r%'",
            "color = 'red' OR price > 5",
            "JMSCorrelationID = 'c'",
            "JMSDeliveryMode = 'PERSISTENT'",
            "JMSXGroupID = 'g'",
            "flag = 1.5",
            "n = 5",
    })
    void selectorsOutsideTheSubsetAreNotPushedDown(String selector) throws Exception {
        assertThat(filter(selector)).isEmpty();
    }

    @Test
    void aMatchAllSelectorHasNoFilter() throws Exception {
        assertThat(filter(null)).isEmpty();
    }

    /**
     * The safety property: whenever the selector matches a message, the broker filter matches its record (so the
     * broker never withholds a message from the consumer that selects it). Checked on random messages whose
     * properties have random types and values, against the broker's own filter implementation.
     */
    @Test
    void theBrokerFilterMatchesEveryMessageTheSelectorMatches() throws Exception {
        List<String> selectors = List.of("a = 'x'", "a <> 'x'", "a IN ('x', 'true', '1')", "a NOT IN ('x')", "a IS NULL",
                "a IS NOT NULL", "a = 'x' OR b = 'y'", "(a = 'x' OR b <> 'y') AND c IS NULL", "a = 'true' AND b IN ('1', 'y')",
                "a = 'x' AND n > 2", "JMSType = 'x' OR a = '1'", "a = TRUE", "a <> TRUE", "a = FALSE OR b = TRUE",
                "a <> FALSE AND c = 'x'");
        List<MessageSelector> compiled = new java.util.ArrayList<>();
        List<RecordFilter> filters = new java.util.ArrayList<>();
        for (String s : selectors) {
            compiled.add(MessageSelector.compile(s));
            filters.add(RecordFilter.parse(BrokerFilter.of(compiled.get(compiled.size() - 1)).orElseThrow().text()));
        }
        String[] values = {"x", "y", "1", "true", ""};
        Random random = new Random(42);
        int pushed = 0;
        for (int round = 0; round < 3000; round++) {
            WeirMessage m = WeirMessage.create();
            for (String name : List.of("a", "b", "c")) {
                String v = values[random.nextInt(values.length)];
                switch (random.nextInt(6)) {
                    case 0 -> m.setStringProperty(name, v);
                    case 1 -> m.setStringProperty(name, null);
                    case 2 -> m.setBooleanProperty(name, v.equals("true"));
                    case 3 -> m.setIntProperty(name, random.nextInt(3));
                    case 4 -> m.setStringProperty(name, v.toUpperCase());
                    default -> { } // absent
                }
            }
            m.setIntProperty("n", random.nextInt(5));
            if (random.nextBoolean()) {
                m.setJMSType(values[random.nextInt(values.length)]);
            }
            Header[] headers = MessageCodec.encode(m).headers().toArray();
            for (int i = 0; i < selectors.size(); i++) {
                if (compiled.get(i).matches(m)) {
                    assertThat(filters.get(i).matches(headers)).as(selectors.get(i) + " on " + m).isTrue();
                    pushed++;
                }
            }
        }
        assertThat(pushed).as("the check saw matching messages").isGreaterThan(1000);
    }
}
