package io.weir.ra.it.bench;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import java.util.concurrent.atomic.AtomicLong;

/** Deliveries of {@link BenchMdb} so far. Thread-safe. */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class BenchCounter {

    private final AtomicLong delivered = new AtomicLong();

    public void delivered() {
        delivered.incrementAndGet();
    }

    public long count() {
        return delivered.get();
    }
}
