package io.weir.bench.provider;

import io.weir.jms.WeirQueue;
import io.weir.jms.message.EncodedMessage;
import io.weir.jms.message.MessageCodec;
import io.weir.jms.message.WeirBytesMessage;
import io.weir.jms.message.WeirMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
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
 * The provider's per-message codec cost ({@code io.weir.jms.message.MessageCodec}): what every send pays to
 * turn a JMS message into a Kafka record (headers as UTF-8 strings, typed properties, the body), and every
 * delivery to turn it back. A {@code BytesMessage} with the headers a producer sets on send (id, timestamp,
 * destination, delivery mode, expiration, delivery time, priority), a correlation id and {@code properties}
 * application properties of mixed types.
 *
 * <p>{@code encode}: {@link MessageCodec#encode}; {@code decode}: {@link MessageCodec#decode} of a record whose
 * headers are already Java strings; {@code decodeAndReadBody}: decode plus reading the body as the application does;
 * {@code decodeFromWire}: the record as a consumer gets it, read from a record batch (header keys still bytes, as
 * kafka-clients' and the provider's share member hand them over), then decoded.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class MessageCodecBench {

    @Param({"100", "1024"})
    public int bodySize;

    @Param({"0", "5"})
    public int properties;

    private WeirMessage message;
    private ConsumerRecord<byte[], byte[]> record;
    private byte[] readBuffer;

    @Setup(Level.Trial)
    public void setUp() throws JMSException {
        byte[] body = new byte[bodySize];
        new SplittableRandom(7).nextBytes(body);
        WeirBytesMessage m = new WeirBytesMessage();
        m.writeBytes(body);
        long now = 1_760_000_000_000L;
        m.setJMSDestination(new WeirQueue("orders"));
        m.setJMSDeliveryMode(DeliveryMode.PERSISTENT);
        m.setJMSPriority(4);
        m.setJMSExpiration(0);
        m.setJMSDeliveryTime(now);
        m.setJMSTimestamp(now);
        m.setJMSMessageID("ID:6f1c2a9e-5d3b-4c1f-9a47-0d6c8b2e1f30:" + 123_456);
        m.setJMSCorrelationID("order-42");
        if (properties > 0) {
            m.setStringProperty("region", "emea");
            m.setIntProperty("weight", 2_500);
            m.setLongProperty("customer", 7_700_000_123L);
            m.setBooleanProperty("express", true);
            m.setDoubleProperty("amount", 99.95);
            for (int i = 5; i < properties; i++) {
                m.setStringProperty("p" + i, "value-" + i);
            }
        }
        m.prepareForSend();
        message = m;
        EncodedMessage e = MessageCodec.encode(m);
        record = new ConsumerRecord<>("orders", 0, 42L, now, TimestampType.CREATE_TIME, -1, e.value().length, e.key(), e.value(),
                e.headers(), Optional.empty());
        readBuffer = new byte[bodySize];
        org.apache.kafka.common.record.internal.MemoryRecords records = org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
                42L, org.apache.kafka.common.compress.Compression.NONE, new org.apache.kafka.common.record.internal.SimpleRecord(now,
                        e.key(), e.value(), e.headers().toArray()));
        wire = records.batches().iterator().next();
    }

    private org.apache.kafka.common.record.internal.RecordBatch wire;

    @Benchmark
    public EncodedMessage encode() throws JMSException {
        return MessageCodec.encode(message);
    }

    @Benchmark
    public WeirMessage decode() throws JMSException {
        return MessageCodec.decode(record);
    }

    @Benchmark
    public int decodeAndReadBody() throws JMSException {
        WeirBytesMessage m = (WeirBytesMessage) MessageCodec.decode(record);
        return m.readBytes(readBuffer) + m.getJMSMessageID().length();
    }

    @Benchmark
    public WeirMessage decodeFromWire() throws JMSException {
        org.apache.kafka.common.record.internal.Record r = wire.iterator().next();
        byte[] value = new byte[r.valueSize()];
        r.value().get(value);
        return MessageCodec.decode(new ConsumerRecord<>("orders", 0, r.offset(), r.timestamp(), TimestampType.CREATE_TIME, -1,
                value.length, null, value, new org.apache.kafka.common.header.internals.RecordHeaders(r.headers()), Optional.empty()));
    }
}
