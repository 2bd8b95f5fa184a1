package io.weir.jms.message;

import jakarta.jms.MessageFormatException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The documented binary layout of map and stream bodies, and rejection of every kind of corruption. */
class BodyValuesTest {

    @Test
    void streamLayoutIsAsDocumented() throws MessageFormatException {
        List<Object> values = new ArrayList<>(Arrays.asList(null, true, (byte) 1, (short) 2, 'A', 3, 4L, 1f, 2d,
                "é", new byte[] {7}));
        byte[] body = BodyValues.encodeStream(values);
        String expected = "01" + "0000000b"
                + "00"
                + "0101"
                + "0201"
                + "030002"
                + "040041"
                + "0500000003"
                + "060000000000000004"
                + "073f800000"
                + "084000000000000000"
                + "0900000002c3a9"
                + "0a0000000107";
        assertThat(HexFormat.of().formatHex(body)).isEqualTo(expected);
        List<Object> decoded = BodyValues.decodeStream(body);
        assertThat(decoded).hasSize(11);
        assertThat(decoded.subList(0, 10)).containsExactly(null, true, (byte) 1, (short) 2, 'A', 3, 4L, 1f, 2d, "é");
        assertThat((byte[]) decoded.get(10)).containsExactly(7);
    }

    @Test
    void mapLayoutIsAsDocumented() throws MessageFormatException {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", 1);
        byte[] body = BodyValues.encodeMap(map);
        assertThat(HexFormat.of().formatHex(body)).isEqualTo("01" + "00000001" + "0000000161" + "0500000001");
        assertThat(BodyValues.decodeMap(body)).containsExactly(Map.entry("a", 1));
    }

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    @Test
    void everyTruncationOfAValidBodyIsRejected() throws MessageFormatException {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", "value");
        map.put("n", 5L);
        map.put("b", new byte[] {1, 2, 3});
        byte[] mapBody = BodyValues.encodeMap(map);
        for (int len = 0; len < mapBody.length; len++) {
            byte[] cut = Arrays.copyOf(mapBody, len);
            assertThatThrownBy(() -> BodyValues.decodeMap(cut)).as("length %d", len)
                    .isInstanceOf(MessageFormatException.class);
        }
        byte[] streamBody = BodyValues.encodeStream(List.of("value", 5L, 1.5d));
        for (int len = 0; len < streamBody.length; len++) {
            byte[] cut = Arrays.copyOf(streamBody, len);
            assertThatThrownBy(() -> BodyValues.decodeStream(cut)).as("length %d", len)
                    .isInstanceOf(MessageFormatException.class);
        }
    }

    @Test
    void corruptionsAreRejectedWithTheirReason() {
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("02" + "00000000")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("01" + "00000001" + "0b")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("tag 11");
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("01" + "00000001" + "0102")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("not 0 or 1");
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("01" + "ffffffff")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("claims -1");
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("01" + "7fffffff" + "00")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("claims 2147483647");
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("01" + "00000001" + "0a7fffffff")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("01" + "00000001" + "0affffffff")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("Length -1");
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("01" + "00000001" + "0900000001ff")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> BodyValues.decodeStream(hex("01" + "00000001" + "00" + "00")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> BodyValues.decodeMap(hex("01" + "00000001" + "00000000" + "00")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("empty name");
        assertThatThrownBy(() -> BodyValues.decodeMap(new byte[0]))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("truncated");
    }

    @Test
    void randomBytesNeverCrashTheDecoder() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(40)];
            random.nextBytes(junk);
            if (junk.length > 0) {
                junk[0] = 1; // get past the version check most of the time
            }
            try {
                BodyValues.decodeStream(junk);
                BodyValues.decodeMap(junk);
            } catch (MessageFormatException expected) {
                // fine: the only failure allowed
            }
        }
    }

    @Test
    void utf8IsStrict() {
        assertThatThrownBy(() -> BodyValues.utf8(ByteBuffer.wrap(new byte[] {(byte) 0xed, (byte) 0xa0,
                (byte) 0x80}), "x")).isInstanceOf(MessageFormatException.class);
    }
}
