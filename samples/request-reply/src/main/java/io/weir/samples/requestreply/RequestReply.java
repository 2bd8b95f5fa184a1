package io.weir.samples.requestreply;

import io.weir.jms.WeirConnectionFactory;
import io.weir.samples.SampleBroker;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Request/reply: a price service answers on the queue {@code price-requests}; a client asks over a temporary
 * queue of its own (JMSReplyTo) and matches each answer to its question by JMSCorrelationID.
 */
public final class RequestReply {

    static final String REQUESTS = "price-requests";
    private static final Map<String, String> PRICES = Map.of("apple", "0.40", "pear", "0.55", "plum", "0.30");

    public static void main(String[] args) {
        try (SampleBroker broker = SampleBroker.find()) {
            run(broker.bootstrapServers(), List.of("apple", "pear", "plum", "mango")).forEach(System.out::println);
        }
    }

    /** Starts the price service, asks it each question in turn, and returns the answers. */
    public static List<String> run(String bootstrapServers, List<String> questions) {
        ConnectionFactory factory = new WeirConnectionFactory(bootstrapServers);
        List<String> answers = new ArrayList<>();
        try (JMSContext service = factory.createContext(); JMSContext client = factory.createContext()) {
            startPriceService(service);

            Queue requests = client.createQueue(REQUESTS);
            TemporaryQueue replies = client.createTemporaryQueue(); // deleted when the client's context closes
            JMSConsumer replyConsumer = client.createConsumer(replies);
            for (String item : questions) {
                TextMessage request = client.createTextMessage(item);
                request.setJMSReplyTo(replies);
                client.createProducer().send(requests, request);
                Message reply = replyConsumer.receive(60_000);
                if (reply == null) {
                    throw new IllegalStateException("no answer about " + item + " within a minute");
                }
                if (!request.getJMSMessageID().equals(reply.getJMSCorrelationID())) {
                    throw new IllegalStateException("an answer to another question: " + reply.getJMSCorrelationID());
                }
                answers.add("price of " + item + ": " + reply.getBody(String.class));
            }
        } catch (JMSException e) {
            throw new JMSRuntimeException(e.getMessage(), e.getErrorCode(), e);
        }
        return answers;
    }

    /** The service: answers each request on its JMSReplyTo queue, correlated to the request's message id. */
    private static void startPriceService(JMSContext service) {
        JMSConsumer requests = service.createConsumer(service.createQueue(REQUESTS));
        requests.setMessageListener(request -> {
            try {
                String item = request.getBody(String.class);
                TextMessage answer = service.createTextMessage(PRICES.getOrDefault(item, "not sold here"));
                answer.setJMSCorrelationID(request.getJMSMessageID());
                service.createProducer().send(request.getJMSReplyTo(), answer);
            } catch (JMSException | JMSRuntimeException e) {
                // e.g. a request left over from an earlier run whose reply queue is gone
                System.out.println("cannot answer " + request + ": " + e);
            }
        });
    }

    private RequestReply() {
    }
}
