package io.weir.broker.log;

/** An offset-index entry: the batch starting at {@code offset} begins at byte {@code position}. */
record OffsetPosition(long offset, int position) {
}
