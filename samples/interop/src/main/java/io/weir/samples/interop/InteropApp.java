package io.weir.samples.interop;

import io.weir.jms.WeirConnectionFactory;
import io.weir.samples.SampleBroker;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Kafka and JMS on the same topics. A kafka-clients producer writes a record that a JMS application reads as a
 * TextMessage; a JMS application sends a TextMessage that a kafka-clients consumer reads as a record. Both
 * directions print how record headers and JMS headers/properties map onto each other.
 */
public final class InteropApp {

    /** The two sides of each direction, as name/value pairs. */
    public record Result(Map<String, String> jmsView, Map<String, String> kafkaView) {
    }

    public static void main(String[] args) {
        try (SampleBroker broker = SampleBroker.find()) {
            Result r = run(broker.bootstrapServers());
            System.out.println("Kafka record -> JMS message:");
            r.jmsView().forEach((k, v) -> System.out.println("  " + k + " = " + v));
            System.out.println("JMS message -> Kafka record:");
            r.kafkaView().forEach((k, v) -> System.out.println("  " + k + " = " + v));
        }
    }

    public static Result run(String bootstrapServers) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String toJms = "interop-to-jms-" + run;
        String toKafka = "interop-to-kafka-" + run;
        return new Result(kafkaToJms(bootstrapServers, toJms), jmsToKafka(bootstrapServers, toKafka));
    }

    /** A plain record (key, content-type, an application header) read by a JMS queue consumer. */
    static Map<String, String> kafkaToJms(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, "customer-7", "hello from Kafka");
            record.headers().add("content-type", "text/plain; charset=utf-8".getBytes(StandardCharsets.UTF_8));
            record.headers().add("region", "eu".getBytes(StandardCharsets.UTF_8));
            record.headers().add("trace-id", "4bf92f35".getBytes(StandardCharsets.UTF_8)); // not a Java identifier
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("producing to " + topic + " failed", e);
        }
        try (JMSContext context = new WeirConnectionFactory(bootstrapServers).createContext();
             JMSConsumer consumer = context.createConsumer(context.createQueue(topic))) {
            Message m = consumer.receive(60_000);
            if (m == null) {
                throw new IllegalStateException("the JMS consumer received nothing from " + topic);
            }
            Map<String, String> view = new LinkedHashMap<>();
            view.put("message type", m instanceof TextMessage ? "TextMessage" : m.getClass().getSimpleName());
            view.put("body", m.getBody(String.class));
            view.put("JMSMessageID", m.getJMSMessageID());
            view.put("JMSXGroupID (the record key)", m.getStringProperty("JMSXGroupID"));
            view.put("property region", m.getStringProperty("region"));
            view.put("property trace-id", String.valueOf(m.propertyExists("trace-id") ? m.getObjectProperty("trace-id") : "(left out)"));
            return view;
        } catch (JMSException e) {
            throw new JMSRuntimeException(e.getMessage(), e.getErrorCode(), e);
        }
    }

    /** A TextMessage with a property and a correlation id, read by a kafka-clients consumer. */
    static Map<String, String> jmsToKafka(String bootstrapServers, String topic) {
        try (JMSContext context = new WeirConnectionFactory(bootstrapServers).createContext()) {
            context.createProducer().setJMSCorrelationID("order-42").setProperty("region", "us").setProperty("attempt", 2)
                    .send(context.createQueue(topic), "hello from JMS");
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "interop-reader-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> view = new LinkedHashMap<>();
                    view.put("value", r.value());
                    view.put("key", String.valueOf(r.key()));
                    for (Header h : r.headers()) {
                        view.put("header " + h.key(), printable(h.value()));
                    }
                    return view;
                }
            }
        }
        throw new IllegalStateException("the Kafka consumer received nothing from " + topic + " " + Collections.emptyList());
    }

    private static String printable(byte[] value) {
        if (value == null) {
            return "null";
        }
        String s = new String(value, StandardCharsets.UTF_8);
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? s : "(" + value.length + " bytes)";
    }

    private InteropApp() {
    }
}
