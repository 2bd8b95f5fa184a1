package io.weir.jms.message;

import io.weir.jms.WeirQueue;
import io.weir.jms.WeirTemporaryQueue;
import io.weir.jms.WeirTemporaryTopic;
import io.weir.jms.WeirTopic;
import jakarta.jms.BytesMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageCodecTest {

    static final long RECORD_TIMESTAMP = 1_700_000_000_000L;

    static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, Headers headers) {
        return new ConsumerRecord<>("orders", 3, 42L, RECORD_TIMESTAMP, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, headers,
                Optional.empty());
    }

    static ConsumerRecord<byte[], byte[]> record(EncodedMessage e) {
        return record(e.key(), e.value(), e.headers());
    }

    /** What a receiver sees of {@code m} after a send: copy, prepare, encode, decode. */
    static WeirMessage roundTrip(WeirMessage m) throws JMSException {
        WeirMessage sent = m.copy();
        sent.prepareForSend();
        return MessageCodec.decode(record(MessageCodec.encode(sent)));
    }

    private static Map<String, Object> allPropertyTypes() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("pBoolean", true);
        p.put("pByte", (byte) -7);
        p.put("pShort", (short) 300);
        p.put("pInt", Integer.MIN_VALUE);
        p.put("pLong", Long.MAX_VALUE);
        p.put("pFloat", 0.1f);
        p.put("pDouble", -1e300);
        p.put("pNaN", Double.NaN);
        p.put("pInf", Float.NEGATIVE_INFINITY);
        p.put("pString", "héllo wörld; a=b");
        p.put("pEmpty", "");
        p.put("pNull", null);
        p.put("pNumberText", "12");
        p.put("JMSXGroupID", "group-1");
        p.put("JMSXGroupSeq", 5);
        return p;
    }

    private static List<WeirMessage> everyKind() throws JMSException {
        List<WeirMessage> all = new ArrayList<>();
        all.add(WeirMessage.create());
        all.add(new WeirTextMessage("text ✓ body"));
        WeirBytesMessage bytes = new WeirBytesMessage();
        bytes.writeInt(7);
        bytes.writeUTF("x");
        all.add(bytes);
        WeirMapMessage map = new WeirMapMessage();
        map.setBoolean("z", false);
        map.setByte("b", (byte) 1);
        map.setShort("s", (short) -2);
        map.setChar("c", 'é');
        map.setInt("i", 3);
        map.setLong("l", -4);
        map.setFloat("f", Float.NaN);
        map.setDouble("d", 6.5);
        map.setString("t", "text");
        map.setString("nullText", null);
        map.setBytes("y", new byte[] {0, -1});
        map.setBytes("emptyBytes", new byte[0]);
        all.add(map);
        WeirStreamMessage stream = new WeirStreamMessage();
        stream.writeBoolean(true);
        stream.writeByte((byte) 1);
        stream.writeShort((short) 2);
        stream.writeChar('c');
        stream.writeInt(3);
        stream.writeLong(4);
        stream.writeFloat(5f);
        stream.writeDouble(6d);
        stream.writeString("s");
        stream.writeString(null);
        stream.writeBytes(new byte[] {9});
        all.add(stream);
        WeirObjectMessage object = new WeirObjectMessage();
        object.setObject(new ArrayList<>(List.of("a", 1)));
        all.add(object);
        for (WeirMessage m : all) {
            for (Map.Entry<String, Object> p : allPropertyTypes().entrySet()) {
                m.setObjectProperty(p.getKey(), p.getValue());
            }
            m.setJMSMessageID("ID:abc-1");
            m.setJMSTimestamp(123);
            m.setJMSCorrelationID("corr-1");
            m.setJMSReplyTo(new WeirTemporaryQueue("tmp-1", null));
            m.setJMSDestination(new WeirTopic("orders"));
            m.setJMSDeliveryMode(DeliveryMode.NON_PERSISTENT);
            m.setJMSType("kind");
            m.setJMSExpiration(999);
            m.setJMSDeliveryTime(456);
            m.setJMSPriority(8);
        }
        return all;
    }

    @Test
    void everyKindWithEveryPropertyTypeRoundTrips() throws JMSException {
        for (WeirMessage m : everyKind()) {
            WeirMessage r = roundTrip(m);
            assertThat(r).as("kind").isExactlyInstanceOf(m.getClass());
            assertThat(r.bodyType()).isEqualTo(m.bodyType());
            assertThat(r.getJMSMessageID()).isEqualTo("ID:abc-1");
            assertThat(r.getJMSTimestamp()).isEqualTo(123);
            assertThat(r.getJMSCorrelationID()).isEqualTo("corr-1");
            assertThat(r.getJMSReplyTo()).isEqualTo(new WeirTemporaryQueue("tmp-1", null))
                    .isInstanceOf(jakarta.jms.TemporaryQueue.class);
            assertThat(r.getJMSDestination()).isEqualTo(new WeirTopic("orders"));
            assertThat(r.getJMSDeliveryMode()).isEqualTo(DeliveryMode.NON_PERSISTENT);
            assertThat(r.getJMSType()).isEqualTo("kind");
            assertThat(r.getJMSExpiration()).isEqualTo(999);
            assertThat(r.getJMSDeliveryTime()).isEqualTo(456);
            assertThat(r.getJMSPriority()).isEqualTo(8);
            assertThat(r.getJMSRedelivered()).isFalse();
            Map<String, Object> expected = allPropertyTypes();
            expected.put("JMSXDeliveryCount", 1);
            assertThat(r.properties()).as("properties of %s", m.bodyType()).isEqualTo(expected);
            for (Map.Entry<String, Object> p : r.properties().entrySet()) {
                if (p.getValue() != null) {
                    assertThat(p.getValue()).as(p.getKey()).isExactlyInstanceOf(
                            expected.get(p.getKey()).getClass());
                }
            }
            assertThat(r.isPropertiesReadOnly()).isTrue();
            assertThatThrownBy(() -> r.setIntProperty("x", 1)).isInstanceOf(MessageNotWriteableException.class);
            assertBodiesEqual(m, r);
        }
    }

    private static void assertBodiesEqual(WeirMessage sent, WeirMessage received) throws JMSException {
        switch (sent.bodyType()) {
            case MESSAGE -> assertThat(received.getBody(Object.class)).isNull();
            case TEXT -> assertThat(((TextMessage) received).getText()).isEqualTo(((TextMessage) sent).getText());
            case BYTES -> {
                BytesMessage b = (BytesMessage) received;
                assertThat(b.getBodyLength()).isEqualTo(4 + 3);
                assertThat(b.readInt()).isEqualTo(7);
                assertThat(b.readUTF()).isEqualTo("x");
            }
            case MAP -> {
                WeirMapMessage s = (WeirMapMessage) sent;
                WeirMapMessage r = (WeirMapMessage) received;
                assertThat(Collections.list(r.getMapNames())).containsExactlyElementsOf(
                        Collections.list(s.getMapNames()));
                for (String name : Collections.list(s.getMapNames())) {
                    assertThat(r.getObject(name)).as(name).isEqualTo(s.getObject(name));
                }
                assertThat(r.getObject("c")).isInstanceOf(Character.class);
                assertThat(r.getObject("f")).isEqualTo(Float.NaN);
                assertThatThrownBy(() -> r.setInt("x", 1)).isInstanceOf(MessageNotWriteableException.class);
            }
            case STREAM -> {
                WeirStreamMessage r = (WeirStreamMessage) received;
                assertThat(r.readBoolean()).isTrue();
                assertThat(r.readObject()).isEqualTo((byte) 1);
                assertThat(r.readObject()).isEqualTo((short) 2);
                assertThat(r.readObject()).isEqualTo('c');
                assertThat(r.readObject()).isEqualTo(3);
                assertThat(r.readObject()).isEqualTo(4L);
                assertThat(r.readObject()).isEqualTo(5f);
                assertThat(r.readObject()).isEqualTo(6d);
                assertThat(r.readObject()).isEqualTo("s");
                assertThat(r.readObject()).isNull();
                assertThat((byte[]) r.readObject()).containsExactly(9);
            }
            case OBJECT -> assertThat(((WeirObjectMessage) received).getObject()).isEqualTo(List.of("a", 1));
        }
    }

    @Test
    void emptyAndNullBodiesRoundTrip() throws JMSException {
        assertThat(((TextMessage) roundTrip(new WeirTextMessage(null))).getText()).isNull();
        assertThat(((TextMessage) roundTrip(new WeirTextMessage(""))).getText()).isEmpty();
        WeirBytesMessage bytes = (WeirBytesMessage) roundTrip(new WeirBytesMessage());
        assertThat(bytes.getBodyLength()).isZero();
        assertThat(((WeirObjectMessage) roundTrip(new WeirObjectMessage())).getObject()).isNull();
        assertThat(Collections.list(((WeirMapMessage) roundTrip(new WeirMapMessage())).getMapNames())).isEmpty();
        WeirStreamMessage stream = (WeirStreamMessage) roundTrip(new WeirStreamMessage());
        assertThatThrownBy(stream::readObject).isInstanceOf(jakarta.jms.MessageEOFException.class);
    }

    @Test
    void unsetHeadersStayUnset() throws JMSException {
        WeirMessage r = roundTrip(new WeirTextMessage("x"));
        assertThat(r.getJMSCorrelationID()).isNull();
        assertThat(r.getJMSReplyTo()).isNull();
        assertThat(r.getJMSType()).isNull();
        assertThat(r.getJMSDestination()).isNull();
        assertThat(r.getJMSPriority()).isEqualTo(4);
        assertThat(r.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
        assertThat(r.getJMSExpiration()).isZero();
        assertThat(r.getJMSMessageID()).as("a message sent without an ID gets the record's coordinates")
                .isEqualTo("ID:orders-3-42");
    }

    @Test
    void correlationIdBytesRoundTripExactly() throws JMSException {
        WeirMessage m = WeirMessage.create();
        m.setJMSCorrelationIDAsBytes(new byte[] {0, (byte) 0xff, 10});
        WeirMessage r = roundTrip(m);
        assertThat(r.getJMSCorrelationIDAsBytes()).containsExactly(0, 0xff, 10);
    }

    @Test
    void destinationKindsRoundTrip() throws JMSException {
        for (var d : List.of(new WeirQueue("q"), new WeirTopic("t"), new WeirTemporaryQueue("tq", null),
                new WeirTemporaryTopic("tt", null))) {
            WeirMessage m = WeirMessage.create();
            m.setJMSReplyTo(d);
            m.setJMSDestination(d);
            WeirMessage r = roundTrip(m);
            assertThat(r.getJMSReplyTo()).isEqualTo(d);
            assertThat(r.getJMSDestination()).isEqualTo(d);
        }
    }

    @Test
    void foreignDestinationInAHeaderIsInvalidDestination() {
        WeirMessage m = WeirMessage.create();
        m.setJMSReplyTo((Queue) () -> "foreign");
        assertThatThrownBy(() -> MessageCodec.encode(m)).isInstanceOf(InvalidDestinationException.class)
                .hasMessageContaining("JMSReplyTo");
    }

    @Test
    void keyIsTheGroupId() throws JMSException {
        WeirMessage m = WeirMessage.create();
        assertThat(MessageCodec.encode(m).key()).isNull();
        m.setStringProperty("JMSXGroupID", "g-é");
        assertThat(MessageCodec.encode(m).key()).isEqualTo("g-é".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encodingDoesNotChangeTheMessage() throws JMSException {
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeInt(1);
        EncodedMessage e = MessageCodec.encode(m);
        assertThat(e.value()).hasSize(4);
        m.writeInt(2); // still writable
        assertThat(MessageCodec.encode(m).value()).hasSize(8);
    }

    @Test
    void plainKafkaConsumerReadsStringPropertiesAndTextAsUtf8() throws JMSException {
        WeirTextMessage m = new WeirTextMessage("héllo");
        m.setStringProperty("customer", "zoë");
        m.setIntProperty("count", 12);
        m.setBooleanProperty("urgent", true);
        m.setJMSType("order");
        EncodedMessage e = MessageCodec.encode(m);
        try (StringDeserializer strings = new StringDeserializer()) {
            assertThat(strings.deserialize("t", e.value())).isEqualTo("héllo");
            assertThat(strings.deserialize("t", e.headers().lastHeader("customer").value())).isEqualTo("zoë");
            assertThat(strings.deserialize("t", e.headers().lastHeader("count").value())).isEqualTo("12");
            assertThat(strings.deserialize("t", e.headers().lastHeader("urgent").value())).isEqualTo("true");
            assertThat(strings.deserialize("t", e.headers().lastHeader("jms.type").value())).isEqualTo("order");
            assertThat(strings.deserialize("t", e.headers().lastHeader("content-type").value()))
                    .isEqualTo("text/plain; charset=utf-8");
            assertThat(strings.deserialize("t", e.headers().lastHeader("jms.property-types").value()))
                    .isEqualTo("count=i;urgent=z");
        }
        for (Header h : e.headers()) {
            assertThat(h.key()).as("a JMS header is namespaced or a property").satisfiesAnyOf(
                    k -> assertThat(k).startsWith("jms."), k -> assertThat(k).isEqualTo("content-type"),
                    k -> assertThat(k).isIn("customer", "count", "urgent"));
        }
    }

    // ---------------------------------------------------------------- records from plain producers

    @Test
    void plainRecordDecodesAsBytesMessage() throws JMSException {
        Headers headers = new RecordHeaders();
        headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8)); // not an identifier: left out
        headers.add("source", "billing".getBytes(StandardCharsets.UTF_8));
        headers.add("binary", new byte[] {(byte) 0xC3, 0x28}); // not UTF-8: left out
        headers.add("empty", null);
        WeirMessage m = MessageCodec.decode(record("k-1".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2},
                headers));
        assertThat(m).isInstanceOf(BytesMessage.class);
        BytesMessage b = (BytesMessage) m;
        assertThat(b.getBodyLength()).isEqualTo(2);
        assertThat(b.getBody(byte[].class)).containsExactly(1, 2);
        assertThat(m.getJMSMessageID()).isEqualTo("ID:orders-3-42");
        assertThat(m.getJMSTimestamp()).isEqualTo(RECORD_TIMESTAMP);
        assertThat(m.getJMSDeliveryTime()).isEqualTo(RECORD_TIMESTAMP);
        assertThat(m.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
        assertThat(m.getJMSPriority()).isEqualTo(4);
        assertThat(m.getStringProperty("source")).isEqualTo("billing");
        assertThat(m.propertyExists("empty")).isTrue();
        assertThat(m.getStringProperty("empty")).isNull();
        assertThat(m.propertyExists("binary")).isFalse();
        assertThat(m.getStringProperty("JMSXGroupID")).isEqualTo("k-1");
        assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(1);
        assertThat(Collections.list(m.getPropertyNames()))
                .containsExactlyInAnyOrder("source", "empty", "JMSXGroupID", "JMSXDeliveryCount");
    }

    @Test
    void deliveryCountIsNeverTakenFromTheRecord() throws JMSException {
        Headers headers = new RecordHeaders();
        headers.add("JMSXDeliveryCount", "junk".getBytes(StandardCharsets.UTF_8));
        WeirMessage m = MessageCodec.decode(record(null, new byte[0], headers));
        assertThat(m.getObjectProperty("JMSXDeliveryCount")).isEqualTo(1);
        WeirMessage sent = WeirMessage.create();
        sent.setDeliveryCount(5);
        assertThat(MessageCodec.encode(sent).headers().lastHeader("JMSXDeliveryCount")).isNull();
        assertThat(roundTrip(sent).getIntProperty("JMSXDeliveryCount")).isEqualTo(1);
    }

    @Test
    void plainRecordWithNullValueIsAnEmptyBytesMessage() throws JMSException {
        WeirMessage m = MessageCodec.decode(record(null, null, new RecordHeaders()));
        assertThat(((BytesMessage) m).getBodyLength()).isZero();
        assertThat(m.propertyExists("JMSXGroupID")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "text/plain|true", "text/plain; charset=UTF-8|true", "TEXT/HTML|true", "application/json|true",
            "application/xml|true", "application/vnd.api+json|true", "application/octet-stream|false",
            "image/png|false", "application/x-java-serialized-object|false"})
    void plainRecordContentTypeChoosesText(String contentType, boolean text) throws JMSException {
        Headers headers = new RecordHeaders();
        headers.add("content-type", contentType.getBytes(StandardCharsets.UTF_8));
        WeirMessage m = MessageCodec.decode(record(null, "{\"a\":1}".getBytes(StandardCharsets.UTF_8), headers));
        if (text) {
            assertThat(((TextMessage) m).getText()).isEqualTo("{\"a\":1}");
        } else {
            assertThat(m).isInstanceOf(BytesMessage.class);
        }
    }

    @Test
    void plainRecordCharsetIsHonoured() throws JMSException {
        Headers headers = new RecordHeaders();
        headers.add("Content-Type", "text/plain; charset=ISO-8859-1".getBytes(StandardCharsets.UTF_8));
        WeirMessage m = MessageCodec.decode(record(null, "café".getBytes(StandardCharsets.ISO_8859_1), headers));
        assertThat(((TextMessage) m).getText()).isEqualTo("café");
    }

    @Test
    void plainRecordWithUnknownCharsetOrBadUtf8TextIsAMessageFormatException() {
        Headers unknown = new RecordHeaders();
        unknown.add("content-type", "text/plain; charset=klingon".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[] {65}, unknown)))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("klingon");
        Headers utf8 = new RecordHeaders();
        utf8.add("content-type", "text/plain".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[] {(byte) 0xff}, utf8)))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void negativeRecordTimestampBecomesZero() throws JMSException {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("t", 0, 0L, -1L, TimestampType.NO_TIMESTAMP_TYPE,
                -1, -1, null, new byte[0], new RecordHeaders(), Optional.empty());
        assertThat(MessageCodec.decode(r).getJMSTimestamp()).isZero();
    }

    // ---------------------------------------------------------------- corrupt input

    private static Headers weirHeaders(String... keyValues) {
        Headers h = new RecordHeaders();
        h.add("jms.body-type", "text".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < keyValues.length; i += 2) {
            h.add(keyValues[i], keyValues[i + 1] == null ? null : keyValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return h;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jms.body-type|sound|unknown value 'sound'",
            "jms.timestamp|yesterday|jms.timestamp",
            "jms.expiration|1e5|jms.expiration",
            "jms.timestamp|-|jms.timestamp",
            "jms.timestamp|99999999999999999999|jms.timestamp",
            "jms.delivery-time||jms.delivery-time",
            "jms.priority|10|within 0..9",
            "jms.priority|-1|within 0..9",
            "jms.priority|x|jms.priority",
            "jms.delivery-mode|3|jms.delivery-mode",
            "jms.reply-to|mailbox://x|jms.reply-to",
            "jms.destination|queue://bad name|jms.destination",
            "jms.destination|topic://|jms.destination",
            "jms.property-types|count|malformed entry 'count'",
            "jms.property-types|count=q|malformed entry 'count=q'",
            "jms.property-types|1x=i|malformed entry '1x=i'",
    })
    void corruptJmsHeaderIsAClearMessageFormatException(String key, String value, String mentioned) {
        Headers h = new RecordHeaders();
        h.add("jms.body-type", "text".getBytes(StandardCharsets.UTF_8));
        h.add(key, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
        h.add("count", "1".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[0], h)))
                .isInstanceOf(MessageFormatException.class)
                .hasMessageContaining(mentioned)
                .hasMessageContaining("orders-3@42");
    }

    @Test
    void numbersAreWrittenAsLongToStringWritesThem() {
        long[] values = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1_760_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE + 1, -1, -9, -10, -12345};
        for (long v : values) {
            assertThat(new String(MessageCodec.digits(v), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextLong() >> random.nextInt(64);
            assertThat(new String(MessageCodec.digits(v), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
        }
    }

    @ParameterizedTest
    @CsvSource({"0", "-0", "7", "007", "+5", "-42", "1760000000000", "999999999999999999", "-999999999999999999",
            "9223372036854775807", "-9223372036854775808"})
    void aNumericHeaderReadsAsLongParseLongReadsIt(String text) throws JMSException {
        Headers h = weirHeaders("jms.timestamp", text, "jms.expiration", text);
        WeirMessage m = MessageCodec.decode(record(null, new byte[0], h));
        assertThat(m.getJMSTimestamp()).isEqualTo(Long.parseLong(text));
        assertThat(m.getJMSExpiration()).isEqualTo(Long.parseLong(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "i|twelve", "i|99999999999", "b|200", "s|1.5", "l|", "f|one", "d|NaNx", "z|yes", "z|TRUE"})
    void typedPropertyWithBadTextIsAMessageFormatException(String code, String text) {
        Headers h = weirHeaders("jms.property-types", "p=" + code, "p", text == null ? "" : text);
        assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[0], h)))
                .isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("Property 'p'");
    }

    @Test
    void nonUtf8JmsHeaderOrTypedPropertyIsAMessageFormatException() {
        Headers h1 = weirHeaders();
        h1.add("jms.type", new byte[] {(byte) 0xff});
        assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[0], h1)))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("jms.type");
        Headers h2 = weirHeaders("jms.property-types", "p=i");
        h2.add("p", new byte[] {(byte) 0xff});
        assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[0], h2)))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("Property 'p'");
        Headers h3 = new RecordHeaders();
        h3.add("jms.body-type", new byte[] {(byte) 0xfe});
        assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[0], h3)))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("jms.body-type");
    }

    @Test
    void corruptBodiesAreMessageFormatExceptions() {
        for (String type : List.of("map", "stream")) {
            Headers h = new RecordHeaders();
            h.add("jms.body-type", type.getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[] {1, 0, 0, 0, 5, 9}, h)))
                    .as(type).isInstanceOf(MessageFormatException.class);
        }
        Headers text = weirHeaders();
        assertThatThrownBy(() -> MessageCodec.decode(record(null, new byte[] {(byte) 0xc3}, text)))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("TextMessage body");
    }

    @Test
    void corruptObjectBodyFailsOnGetObjectNotOnDecode() throws JMSException {
        Headers h = new RecordHeaders();
        h.add("jms.body-type", "object".getBytes(StandardCharsets.UTF_8));
        WeirObjectMessage m = (WeirObjectMessage) MessageCodec.decode(record(null, new byte[] {1, 2}, h));
        assertThatThrownBy(m::getObject).isInstanceOf(MessageFormatException.class);
    }

    @Test
    void unknownJmsHeadersAreIgnoredForForwardCompatibility() throws JMSException {
        Headers h = weirHeaders("jms.future-thing", "42");
        WeirMessage m = MessageCodec.decode(record(null, "x".getBytes(StandardCharsets.UTF_8), h));
        assertThat(((TextMessage) m).getText()).isEqualTo("x");
    }

    @Test
    void lastDuplicateHeaderWins() throws JMSException {
        Headers h = weirHeaders("p", "first", "p", "second", "jms.priority", "1", "jms.priority", "2");
        WeirMessage m = MessageCodec.decode(record(null, new byte[0], h));
        assertThat(m.getStringProperty("p")).isEqualTo("second");
        assertThat(m.getJMSPriority()).isEqualTo(2);
    }

    @Test
    void bytesInAReceivedBytesMessageAreNotShared() throws JMSException {
        byte[] value = {1, 2};
        Headers h = new RecordHeaders();
        h.add("jms.body-type", "bytes".getBytes(StandardCharsets.UTF_8));
        BytesMessage m = (BytesMessage) MessageCodec.decode(record(null, value, h));
        byte[] body = m.getBody(byte[].class);
        body[0] = 9;
        assertThat(m.readByte()).isEqualTo((byte) 1);
    }
}
