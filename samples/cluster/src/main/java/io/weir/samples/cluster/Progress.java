package io.weir.samples.cluster;

/** Prints what the sample does, each line with the seconds since it began. Thread-safe. */
public final class Progress {

    private final long startNanos = System.nanoTime();

    public void say(String line) {
        long tenths = (System.nanoTime() - startNanos) / 100_000_000;
        System.out.printf("[%4d.%d s] %s%n", tenths / 10, tenths % 10, line);
    }
}
