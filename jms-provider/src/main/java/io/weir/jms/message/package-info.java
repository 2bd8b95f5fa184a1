/**
 * Jakarta Messaging messages and their Kafka record form.
 *
 * <p>{@link io.weir.jms.message.WeirMessage} and its five body kinds enforce the message rules of the
 * specification (§3: headers, properties and their conversions, read-only and write-only bodies, {@code getBody});
 * {@link io.weir.jms.message.MessageCodec} maps them to records as {@code jms-provider/WIRE-FORMAT.md} documents.
 * None of these classes is thread-safe; a message belongs to one session thread at a time.
 *
 * <p>How the provider is meant to use them:
 * <ul>
 *   <li><b>Send.</b> {@code WeirMessage w = WeirMessages.fromForeign(appMessage)}; when {@code w} is the
 *       application's own object take {@code w.copy()}, so the application may change and resend it. Set the
 *       send-time headers (JMSDestination, JMSDeliveryMode, JMSExpiration, JMSPriority, JMSTimestamp,
 *       JMSDeliveryTime, JMSMessageID) on both the application's message and the copy, call
 *       {@code copy.prepareForSend()}, then {@code MessageCodec.encode(copy)} gives the record's key, value and
 *       headers. Convert foreign JMSReplyTo/JMSDestination values with
 *       {@link io.weir.jms.message.WeirMessages#toWeirDestination}; encoding refuses any other destination.</li>
 *   <li><b>Receive.</b> {@code MessageCodec.decode(record)} returns a read-only message with
 *       {@code JMSXDeliveryCount = 1}. Set JMSDestination when the record did not carry one (a plain Kafka
 *       record), {@code setJMSRedelivered}/{@code setDeliveryCount} on redelivery, and
 *       {@code setAcknowledger} for CLIENT_ACKNOWLEDGE. Decoding errors are {@link jakarta.jms.MessageFormatException}s
 *       naming the record; they never leave a half-built message.</li>
 *   <li><b>ObjectMessage.</b> {@link io.weir.jms.message.WeirObjectMessage#setDeserializationFilter} restricts
 *       what a received object may deserialize into.</li>
 * </ul>
 */
package io.weir.jms.message;
