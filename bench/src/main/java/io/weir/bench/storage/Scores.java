package io.weir.bench.storage;

import java.util.Map;

/**
 * What one benchmark run gave: the primary score (in the benchmark's unit) and the secondary
 * results by name, such as the {@code @AuxCounters} fields of the paired benchmarks.
 */
public record Scores(double primary, Map<String, Double> secondary) {

    /** A secondary result. */
    public double get(String name) {
        Double v = secondary.get(name);
        if (v == null) {
            throw new IllegalStateException("No secondary result " + name + " among " + secondary.keySet());
        }
        return v;
    }
}
