package io.weir.broker.log;

import io.weir.broker.common.NamedThreadFactory;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: makes appends durable with as few fsyncs as possible. Appenders write to the page
 * cache, then ask for durability here; one thread takes every request waiting, fsyncs each log
 * involved once (covering everything appended to it so far), and completes all those requests.
 * While one fsync runs, new requests pile up and share the next one, so the fsync rate adapts to
 * the disk and throughput grows with concurrency instead of being capped at one write per fsync.
 *
 * <p>One flusher per log directory, so directories on different disks sync in parallel.
 * Thread-safe. Lifecycle: STARTED at construction, CLOSED by {@link #close()}, which fails requests
 * still waiting.
 */
public final class GroupCommitFlusher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitFlusher.class);

    private enum State { STARTED, CLOSED }

    private record Request(PartitionLog log, long upToOffset, CompletableFuture<Void> done) {
    }

    private static final Request POISON = new Request(null, 0, null);

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile long fsyncs;

    public GroupCommitFlusher(String name) {
        this.thread = new NamedThreadFactory("group-commit-" + name, true).newThread(this::run);
        thread.start();
    }

    /** Completes once an fsync covers every offset of {@code log} below {@code upToOffset}. */
    CompletableFuture<Void> request(PartitionLog log, long upToOffset) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (state.get() == State.CLOSED) {
            done.completeExceptionally(new KafkaStorageException("Group commit for " + log + " refused: the log is closing"));
            return done;
        }
        queue.add(new Request(log, upToOffset, done));
        return done;
    }

    /** fsyncs issued so far; a measure of how well requests were grouped. */
    public long fsyncs() {
        return fsyncs;
    }

    private void run() {
        List<Request> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(queue, "interrupted");
                return;
            }
            queue.drainTo(batch);
            boolean stop = batch.remove(POISON);
            Map<PartitionLog, List<Request>> byLog = new IdentityHashMap<>();
            for (Request r : batch) {
                if (r.upToOffset() <= r.log().recoveryPoint()) {
                    // an earlier fsync already covered it (it was queued while that fsync ran)
                    r.done().complete(null);
                    continue;
                }
                byLog.computeIfAbsent(r.log(), k -> new ArrayList<>()).add(r);
            }
            for (Map.Entry<PartitionLog, List<Request>> e : byLog.entrySet()) {
                sync(e.getKey(), e.getValue());
            }
            batch.clear();
            if (stop) {
                failAll(queue, "closed");
                return;
            }
        }
    }

    private void sync(PartitionLog partitionLog, List<Request> requests) {
        try {
            partitionLog.flush(partitionLog.logEndOffset());
            fsyncs++;
            for (Request r : requests) {
                if (r.upToOffset() <= partitionLog.recoveryPoint()) {
                    r.done().complete(null);
                } else {
                    // a truncation raced the fsync: ask again (the next round fsyncs what is there now)
                    queue.add(r);
                }
            }
        } catch (RuntimeException e) {
            log.error("Group commit fsync of {} failed", partitionLog, e);
            for (Request r : requests) {
                r.done().completeExceptionally(e);
            }
        }
    }

    private static void failAll(LinkedBlockingQueue<Request> queue, String why) {
        List<Request> rest = new ArrayList<>();
        queue.drainTo(rest);
        for (Request r : rest) {
            if (r != POISON) {
                r.done().completeExceptionally(new KafkaStorageException("Group commit for " + r.log() + " " + why));
            }
        }
    }

    /** Finishes the requests already queued (their fsyncs run), then stops the thread. */
    @Override
    public void close() {
        if (!state.compareAndSet(State.STARTED, State.CLOSED)) {
            return;
        }
        queue.add(POISON);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
