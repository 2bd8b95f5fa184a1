package io.weir.broker.zk;

import java.util.Map;

/**
 * What a broker publishes about itself in its ephemeral znode {@code /brokers/ids/<id>}: how
 * clients and other brokers reach it. JSON, as Kafka's ZooKeeper mode writes it:
 * {@code {"version":5,"host":"localhost","port":9092,"rack":null,
 * "endpoints":["CLIENT://localhost:9092","BROKER://localhost:9093"],
 * "listener_security_protocol_map":{"CLIENT":"SASL_PLAINTEXT","BROKER":"PLAINTEXT"}}}.
 *
 * @param host      host of the inter-broker listener (what other brokers connect to)
 * @param port      port of the inter-broker listener
 * @param endpoints every advertised listener by name (empty in registrations of older brokers: then
 *                  {@code host}/{@code port} serve every listener)
 */
public record BrokerRegistration(int id, String host, int port, String rack, Map<String, Endpoint> endpoints) {

    /** An advertised address of one listener. */
    public record Endpoint(String host, int port) {
    }

    public BrokerRegistration {
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
    }

    public BrokerRegistration(int id, String host, int port, String rack) {
        this(id, host, port, rack, Map.of());
    }

    /**
     * Where a client that came in on {@code listenerName} reaches this broker: the listener of the same
     * name, as Kafka answers Metadata; the inter-broker address when this broker has no such listener
     * or registered no names.
     */
    public Endpoint endpoint(String listenerName) {
        Endpoint e = listenerName == null ? null : endpoints.get(listenerName);
        return e != null ? e : new Endpoint(host, port);
    }

    /** Whether this broker advertises {@code listenerName} (or registered no names at all). */
    public boolean hasListener(String listenerName) {
        return endpoints.isEmpty() || listenerName == null || endpoints.containsKey(listenerName);
    }
}
