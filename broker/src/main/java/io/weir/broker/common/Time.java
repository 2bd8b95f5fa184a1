package io.weir.broker.common;

/**
 * The clock, injected everywhere so that tests move time instead of sleeping.
 * Main code never reads the system clock directly; it asks a {@code Time}.
 * Implementations are thread-safe.
 */
public interface Time {

    /** The wall clock in milliseconds since the epoch: timestamps, retention, segment age. */
    long milliseconds();

    /** A monotonic clock in nanoseconds: elapsed-time measurements only. */
    long nanoseconds();

    /** Blocks the calling thread; a mock clock advances instead. */
    void sleep(long ms) throws InterruptedException;

    /** The real clock. */
    Time SYSTEM = new Time() {
        @Override
        public long milliseconds() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanoseconds() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long ms) throws InterruptedException {
            Thread.sleep(ms);
        }

        @Override
        public String toString() {
            return "Time.SYSTEM";
        }
    };
}
