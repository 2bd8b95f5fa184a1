package io.weir.jms.message;

import org.apache.kafka.common.header.Headers;

/**
 * A JMS message in Kafka record form: {@code key} is the UTF-8 {@code JMSXGroupID} (or null), {@code value}
 * the encoded body (null for no body), {@code headers} the JMS headers and properties (see WIRE-FORMAT.md).
 */
public record EncodedMessage(byte[] key, byte[] value, Headers headers) {
}
