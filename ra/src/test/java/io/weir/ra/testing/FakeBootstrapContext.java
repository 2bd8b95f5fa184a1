package io.weir.ra.testing;

import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.XATerminator;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.Timer;

/** The server's side of an adapter's start: a {@link FakeWorkManager} and, optionally, a transaction registry. */
public final class FakeBootstrapContext implements BootstrapContext, AutoCloseable {

    private final FakeWorkManager workManager;
    private final TransactionSynchronizationRegistry registry;

    public FakeBootstrapContext(TransactionSynchronizationRegistry registry) {
        this(registry, new FakeWorkManager());
    }

    public FakeBootstrapContext(TransactionSynchronizationRegistry registry, FakeWorkManager workManager) {
        this.registry = registry;
        this.workManager = workManager;
    }

    public FakeWorkManager fakeWorkManager() {
        return workManager;
    }

    @Override
    public WorkManager getWorkManager() {
        return workManager;
    }

    @Override
    public XATerminator getXATerminator() {
        return null;
    }

    @Override
    public Timer createTimer() {
        return new Timer(true);
    }

    @Override
    public boolean isContextSupported(Class<? extends WorkContext> workContextClass) {
        return workContextClass == jakarta.resource.spi.work.HintsContext.class;
    }

    @Override
    public TransactionSynchronizationRegistry getTransactionSynchronizationRegistry() {
        return registry;
    }

    @Override
    public void close() {
        workManager.close();
    }
}
