package io.weir.broker.log;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The names of files and directories in a log directory.
 *
 * <pre>
 * &lt;log.dir&gt;/
 *   .lock                                  held (flock) by the broker using the directory
 *   .weir-clean-shutdown                   present only after an orderly close
 *   recovery-point-offset-checkpoint       per partition: offsets below are fsynced
 *   log-start-offset-checkpoint            per partition: first offset still readable
 *   cleaner-offset-checkpoint              per compacted partition: offsets below are cleaned
 *   &lt;topic&gt;-&lt;partition&gt;/
 *     00000000000000000000.log             Kafka v2 record batches as produced, offsets assigned
 *     00000000000000000000.index           sparse offset index
 *     00000000000000000000.timeindex       sparse time index
 *     00000000000000000000.txnindex        aborted transactions whose ABORT markers the segment holds
 *     00000000000000000042.snapshot        producer state when the log ended at offset 42 (written at
 *                                          segment rolls and clean closes; {@link ProducerSnapshotFile})
 *     *.deleted                            a deleted segment, kept readable for log.segment.delete.delay.ms
 *     *.cleaned                            a segment the log cleaner is writing (discarded at load)
 *     *.swap                               a cleaned, fsynced segment replacing the segments it covers
 *                                          (completed at load when a crash interrupted the swap)
 *   &lt;topic&gt;-&lt;partition&gt;.&lt;id&gt;-delete/       a deleted partition, removed in the background
 * </pre>
 */
public final class LogFileNames {
    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    public static final String TXN_INDEX_SUFFIX = ".txnindex";
    public static final String DELETED_SUFFIX = ".deleted";
    public static final String CLEANED_SUFFIX = ".cleaned";
    public static final String SWAP_SUFFIX = ".swap";
    public static final String CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";
    public static final String DELETE_DIR_SUFFIX = "-delete";
    public static final String CLEAN_SHUTDOWN_FILE = ".weir-clean-shutdown";
    public static final String LOCK_FILE = ".lock";
    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";

    private LogFileNames() {
    }

    public static String baseName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    public static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + LOG_SUFFIX);
    }

    public static Path offsetIndexFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + INDEX_SUFFIX);
    }

    public static Path txnIndexFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + TXN_INDEX_SUFFIX);
    }

    public static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + TIME_INDEX_SUFFIX);
    }

    /** The base offset of a segment file name such as {@code 00000000000000000042.log}, if it is one. */
    public static OptionalLong baseOffsetOf(String fileName, String suffix) {
        if (!fileName.endsWith(suffix)) {
            return OptionalLong.empty();
        }
        String digits = fileName.substring(0, fileName.length() - suffix.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public static String partitionDirName(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /**
     * Parses {@code <topic>-<partition>}; the topic may itself contain dashes.
     *
     * @return null when the name is not a partition directory
     */
    public static TopicPartition parsePartitionDir(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return null;
        }
        String topic = name.substring(0, dash);
        String partition = name.substring(dash + 1);
        if (!partition.chars().allMatch(Character::isDigit) || partition.length() > 9) {
            return null;
        }
        if (!topic.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-')) {
            return null;
        }
        return new TopicPartition(topic, Integer.parseInt(partition));
    }
}
