package io.weir.jms.client;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * The records of one batch, one at a time, with key and value as arrays: {@link PlainBatchReader} for uncompressed
 * v2 batches, kafka-clients' iterator for the others (compressed, older formats). A record that cannot be read is an
 * exception from {@link #next}.
 */
interface RecordCursor extends AutoCloseable {

    /** The records of {@code batch}, which starts at {@code batchStart} of {@code records}. */
    static RecordCursor of(ByteBuffer records, int batchStart, RecordBatch batch) {
        return PlainBatchReader.readable(batch) ? new PlainBatchReader(records, batchStart, (org.apache.kafka.common.record.internal.DefaultRecordBatch) batch)
                : new Iterated(batch.streamingIterator(BufferSupplier.NO_CACHING));
    }

    /** Moves to the next record; false when there is none. */
    boolean next();

    long offset();

    long timestamp();

    /** The key's size, -1 for none. */
    int keySize();

    int valueSize();

    byte[] key();

    byte[] value();

    Header[] headers();

    @Override
    default void close() {
    }

    /** kafka-clients' record iterator. */
    final class Iterated implements RecordCursor {
        private final CloseableIterator<Record> it;
        private Record record;

        Iterated(CloseableIterator<Record> it) {
            this.it = it;
        }

        @Override
        public boolean next() {
            record = it.hasNext() ? it.next() : null;
            return record != null;
        }

        @Override
        public long offset() {
            return record.offset();
        }

        @Override
        public long timestamp() {
            return record.timestamp();
        }

        @Override
        public int keySize() {
            return record.keySize();
        }

        @Override
        public int valueSize() {
            return record.valueSize();
        }

        @Override
        public byte[] key() {
            return array(record.key());
        }

        @Override
        public byte[] value() {
            return array(record.value());
        }

        @Override
        public Header[] headers() {
            return record.headers();
        }

        @Override
        public void close() {
            it.close();
        }

        /** The remaining bytes of {@code b} (not moved) as an array; null for null. */
        static byte[] array(ByteBuffer b) {
            if (b == null) {
                return null;
            }
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
    }
}
