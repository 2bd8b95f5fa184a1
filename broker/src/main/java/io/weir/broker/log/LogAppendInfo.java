package io.weir.broker.log;

/**
 * What an append did.
 *
 * @param firstOffset         offset given to the first record
 * @param lastOffset          offset given to the last record
 * @param maxTimestamp        largest record timestamp appended (after LogAppendTime stamping)
 * @param logAppendTime       the broker's timestamp for LogAppendTime topics, else {@code -1}
 * @param recordCount         records appended
 * @param sizeInBytes         bytes appended
 * @param logStartOffset      the log start offset at append time
 * @param duplicate           the batch repeated one an idempotent producer had already written: nothing was
 *                            appended and the offsets are those of the original
 */
public record LogAppendInfo(long firstOffset, long lastOffset, long maxTimestamp, long logAppendTime,
                            int recordCount, int sizeInBytes, long logStartOffset, boolean duplicate) {

    /** The offset after the last appended record: the log end offset this append produced. */
    public long nextOffset() {
        return lastOffset + 1;
    }
}
