package io.weir.jms;

import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DestinationsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "orders", "Orders.v1", "my_topic-2", "_private", "a..b", "...", "_"})
    void legalNames(String name) throws InvalidDestinationException {
        assertThat(DestinationNames.validate(name)).isEqualTo(name);
        assertThat(DestinationNames.isValid(name)).isTrue();
    }

    @Test
    void longestLegalNameIs249Characters() throws InvalidDestinationException {
        String name = "x".repeat(249);
        assertThat(DestinationNames.validate(name)).isEqualTo(name);
        assertThatThrownBy(() -> DestinationNames.validate(name + "x"))
                .isInstanceOf(InvalidDestinationException.class).hasMessageContaining("250");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "__consumer_offsets", "__x", "a b", "a/b", "a:b", "é", "a*", "queue://x",
            "tab\t"})
    void illegalNamesAreInvalidDestinations(String name) {
        assertThatThrownBy(() -> DestinationNames.validate(name)).isInstanceOf(InvalidDestinationException.class);
        assertThat(DestinationNames.isValid(name)).isFalse();
    }

    @Test
    void nullNameIsInvalid() {
        assertThatThrownBy(() -> DestinationNames.validate(null)).isInstanceOf(InvalidDestinationException.class)
                .hasMessageContaining("null");
    }

    @Test
    void kindsAndUris() throws JMSException {
        WeirQueue q = new WeirQueue("q");
        assertThat(q.isQueue()).isTrue();
        assertThat(q.isTemporary()).isFalse();
        assertThat(q.getQueueName()).isEqualTo("q");
        assertThat(q.toUri()).isEqualTo("queue://q");
        WeirTopic t = new WeirTopic("t");
        assertThat(t.isQueue()).isFalse();
        assertThat(t.getTopicName()).isEqualTo("t");
        assertThat(t.toUri()).isEqualTo("topic://t");
        assertThat(new WeirTemporaryQueue("x", null).toUri()).isEqualTo("temp-queue://x");
        assertThat(new WeirTemporaryTopic("x", null).toUri()).isEqualTo("temp-topic://x");
        assertThat(q.toString()).isEqualTo("queue://q");
        for (WeirDestination d : List.of(q, t, new WeirTemporaryQueue("tq", null), new WeirTemporaryTopic("tt", null))) {
            WeirDestination parsed = WeirDestination.fromUri(d.toUri());
            assertThat(parsed).isEqualTo(d).hasSameHashCodeAs(d).hasSameClassAs(d);
        }
    }

    @Test
    void equalityNeedsSameKindAndName() {
        assertThat(new WeirQueue("a")).isEqualTo(new WeirQueue("a")).isNotEqualTo(new WeirQueue("b"))
                .isNotEqualTo(new WeirTopic("a")).isNotEqualTo(new WeirTemporaryQueue("a", null));
        assertThat(new WeirTemporaryTopic("a", d -> { })).isEqualTo(new WeirTemporaryTopic("a", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"q", "queue:/q", "queue://", "topic://bad name", "temp-queue://__x", "QUEUE://q"})
    void malformedUrisAreRejected(String uri) {
        assertThatThrownBy(() -> WeirDestination.fromUri(uri)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(uri);
    }

    @Test
    void nullUriIsRejected() {
        assertThatThrownBy(() -> WeirDestination.fromUri(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void temporaryDeleteGoesToTheOwner() throws JMSException {
        List<WeirDestination> deleted = new ArrayList<>();
        TemporaryDestinationOwner owner = deleted::add;
        WeirTemporaryQueue tq = new WeirTemporaryQueue("tq", owner);
        WeirTemporaryTopic tt = new WeirTemporaryTopic("tt", owner);
        tq.delete();
        tt.delete();
        assertThat(deleted).containsExactly(tq, tt);
    }

    @Test
    void ownerErrorsPropagate() {
        WeirTemporaryQueue tq = new WeirTemporaryQueue("tq", d -> {
            throw new jakarta.jms.IllegalStateException("in use");
        });
        assertThatThrownBy(tq::delete).isInstanceOf(jakarta.jms.IllegalStateException.class)
                .hasMessage("in use");
    }

    @Test
    void decodedTemporaryDestinationCannotBeDeleted() {
        WeirDestination tq = WeirDestination.fromUri("temp-queue://tq");
        WeirDestination tt = WeirDestination.fromUri("temp-topic://tt");
        assertThatThrownBy(((WeirTemporaryQueue) tq)::delete).isInstanceOf(jakarta.jms.IllegalStateException.class)
                .hasMessageContaining("not created by this connection");
        assertThatThrownBy(((WeirTemporaryTopic) tt)::delete).isInstanceOf(jakarta.jms.IllegalStateException.class)
                .hasMessageContaining("not created by this connection");
    }

    @Test
    void destinationsAreSerializable() throws Exception {
        for (WeirDestination d : List.of(new WeirQueue("q"), new WeirTopic("t"),
                new WeirTemporaryQueue("tq", x -> { }))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(d);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                assertThat(in.readObject()).isEqualTo(d);
            }
        }
    }
}
