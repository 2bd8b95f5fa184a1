package io.weir.broker.log;

/**
 * An offset together with where it lives on disk: the base offset of its segment and its byte
 * position there. Readers use it to bound a read without another index lookup (the log end, and
 * later the high watermark). Immutable.
 */
public record LogOffsetMetadata(long offset, long segmentBaseOffset, int positionInSegment) {

    /** Whether {@code this} lies in the segment with base offset {@code segmentBase}. */
    boolean inSegment(long segmentBase) {
        return segmentBaseOffset == segmentBase;
    }
}
