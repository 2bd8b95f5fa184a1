package io.weir.broker.log;

/**
 * The answer to a read: where it started and the stored bytes from there.
 *
 * @param fetchOffsetMetadata the requested offset with the position of the batch that holds it
 * @param records             the stored batches; empty when nothing is available
 */
public record FetchDataInfo(LogOffsetMetadata fetchOffsetMetadata, FileSlice records) {

    public boolean isEmpty() {
        return records.size() == 0;
    }
}
