package io.weir.broker.log;

/** A time-index entry, or a lookup answer: {@code timestamp} first reached at {@code offset}. */
public record TimestampOffset(long timestamp, long offset) {
}
