package io.weir.ra.testing;

import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.HintsContext;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkContextProvider;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkEvent;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import jakarta.resource.spi.work.WorkRejectedException;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A WorkManager over a cached thread pool, as a server's would run an adapter's work. */
public final class FakeWorkManager implements WorkManager, AutoCloseable {

    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService executor;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger longRunning = new AtomicInteger();

    /** Work threads inherit the creating thread's context class loader. */
    public FakeWorkManager() {
        this(Thread.currentThread().getContextClassLoader());
    }

    /** Work threads have {@code threadLoader} as their context class loader, as a server's may. */
    public FakeWorkManager(ClassLoader threadLoader) {
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-work-manager-" + threads.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(threadLoader);
            return t;
        });
    }

    /** Works scheduled with the long-running hint. */
    public int longRunning() {
        return longRunning.get();
    }

    /** Works running now. */
    public int running() {
        return running.get();
    }

    @Override
    public void doWork(Work work) throws WorkException {
        work.run();
    }

    @Override
    public void doWork(Work work, long startTimeout, ExecutionContext ctx, WorkListener listener) throws WorkException {
        work.run();
    }

    @Override
    public long startWork(Work work) throws WorkException {
        scheduleWork(work, INDEFINITE, null, null);
        return 0;
    }

    @Override
    public long startWork(Work work, long startTimeout, ExecutionContext ctx, WorkListener listener) throws WorkException {
        scheduleWork(work, startTimeout, ctx, listener);
        return 0;
    }

    @Override
    public void scheduleWork(Work work) throws WorkException {
        scheduleWork(work, INDEFINITE, null, null);
    }

    @Override
    public void scheduleWork(Work work, long startTimeout, ExecutionContext ctx, WorkListener listener) throws WorkException {
        if (work instanceof WorkContextProvider p && p.getWorkContexts() != null) {
            for (WorkContext c : p.getWorkContexts()) {
                if (!(c instanceof HintsContext h)) {
                    throw new WorkRejectedException("unsupported work context " + c.getClass().getName());
                }
                if (Boolean.TRUE.equals(h.getHints().get(HintsContext.LONGRUNNING_HINT))) {
                    longRunning.incrementAndGet();
                }
            }
        }
        try {
            executor.execute(() -> {
                running.incrementAndGet();
                try {
                    if (listener != null) {
                        listener.workStarted(new WorkEvent(this, WorkEvent.WORK_STARTED, work, null));
                    }
                    work.run();
                } finally {
                    running.decrementAndGet();
                    if (listener != null) {
                        listener.workCompleted(new WorkEvent(this, WorkEvent.WORK_COMPLETED, work, null));
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            throw new WorkRejectedException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
