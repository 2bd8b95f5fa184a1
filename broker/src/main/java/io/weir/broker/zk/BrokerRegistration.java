package io.weir.broker.zk;

/**
 * What a broker publishes about itself in its ephemeral znode {@code /brokers/ids/<id>}: how
 * clients reach it. JSON: {@code {"version":1,"host":"localhost","port":9092,"rack":null}}.
 */
public record BrokerRegistration(int id, String host, int port, String rack) {
}
