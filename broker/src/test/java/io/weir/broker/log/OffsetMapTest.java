package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OffsetMapTest {

    private static ByteBuffer key(String k) {
        return ByteBuffer.wrap(k.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheLatestOffsetPerKey() {
        OffsetMap map = new OffsetMap(24 * 1000, 0.9);
        for (int round = 0; round < 5; round++) {
            for (int k = 0; k < 100; k++) {
                map.put(key("key-" + k), round * 100L + k);
            }
        }
        assertThat(map.size()).isEqualTo(100);
        assertThat(map.get(key("key-7"))).isEqualTo(407);
        assertThat(map.get(key("absent"))).isEqualTo(-1);
        assertThat(map.latestOffset()).isEqualTo(499);
        ByteBuffer k = key("key-3");
        map.get(k);
        assertThat(k.position()).as("the key buffer is not consumed").isZero();
    }

    @Test
    void refusesNewKeysBeyondItsLoadFactorAndForgetsOnClear() {
        OffsetMap map = new OffsetMap(24 * 10, 0.5);
        assertThat(map.maxEntries()).isEqualTo(5);
        for (int k = 0; k < 5; k++) {
            map.put(key("k" + k), k);
        }
        assertThat(map.canHold(1)).isFalse();
        map.put(key("k0"), 10); // an existing key still updates
        assertThat(map.get(key("k0"))).isEqualTo(10);
        assertThatThrownBy(() -> map.put(key("k5"), 5)).isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
        map.clear();
        assertThat(map.size()).isZero();
        assertThat(map.get(key("k0"))).isEqualTo(-1);
        assertThat(map.canHold(5)).isTrue();
    }

    @Test
    void rejectsUselessSizes() {
        assertThatThrownBy(() -> new OffsetMap(10, 0.9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OffsetMap(24 * 10, 1.0)).isInstanceOf(IllegalArgumentException.class);
    }
}
