package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.broker.common.MockTime;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class RecordFilterTest {

    private static Header[] headers(String... kv) {
        Header[] h = new Header[kv.length / 2];
        for (int i = 0; i < h.length; i++) {
            h[i] = new RecordHeader(kv[2 * i], kv[2 * i + 1] == null ? null : kv[2 * i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return h;
    }

    @Test
    void comparesHeadersAsStrings() {
        RecordFilter f = RecordFilter.parse("color = 'red' AND (size IN ('S', 'M') OR NOT kind <> 'it''s')");
        assertThat(f.matches(headers("color", "red", "size", "M"))).isTrue();
        assertThat(f.matches(headers("color", "red", "size", "L", "kind", "it's"))).isTrue();
        assertThat(f.matches(headers("color", "red", "size", "L", "kind", "other"))).isFalse();
        assertThat(f.matches(headers("color", "blue", "size", "S"))).isFalse();
    }

    @Test
    void aMissingHeaderIsUnknownAndUnknownIsNotSelected() {
        assertThat(RecordFilter.parse("color = 'red'").matches(headers())).isFalse();
        assertThat(RecordFilter.parse("NOT color = 'red'").matches(headers())).as("NOT unknown is unknown").isFalse();
        assertThat(RecordFilter.parse("color = 'red' OR size = 'S'").matches(headers("size", "S"))).isTrue();
        assertThat(RecordFilter.parse("color IS NULL").matches(headers())).isTrue();
        assertThat(RecordFilter.parse("color is not null").matches(headers("color", "x"))).isTrue();
        assertThat(RecordFilter.parse("color NOT IN ('a')").matches(headers("color", "b"))).isTrue();
    }

    @Test
    void badFiltersAreRefusedWithThePosition() {
        assertThatThrownBy(() -> RecordFilter.parse("color = red")).hasMessageContaining("position 8");
        assertThatThrownBy(() -> RecordFilter.parse("color = 'red")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> RecordFilter.parse("(color = 'a'")).hasMessageContaining("')' expected");
        assertThatThrownBy(() -> RecordFilter.parse("color = 'a' junk")).hasMessageContaining("unexpected");
        assertThatThrownBy(() -> RecordFilter.parse("")).hasMessageContaining("header name expected");
    }

    @Test
    void unmatchedRecordsStayAvailableWithoutADelivery() {
        MockTime time = new MockTime();
        SharePartitionState s = SharePartitionState.fresh(0, 5, 100);
        // offsets 1 and 3 are not for this member
        assertThat(s.acquire("a", 10, 5, 1000, time.milliseconds(), o -> o % 2 == 0))
                .containsExactly(new AcquiredRange(0, 0, 1), new AcquiredRange(2, 2, 1), new AcquiredRange(4, 4, 1));
        assertThat(s.stateOf(1)).isEqualTo(DeliveryState.AVAILABLE);
        assertThat(s.deliveryCountOf(1)).isZero();
        assertThat(s.acquire("b", 10, 5, 1000, time.milliseconds(), o -> true))
                .containsExactly(new AcquiredRange(1, 1, 1), new AcquiredRange(3, 3, 1));
    }
}
