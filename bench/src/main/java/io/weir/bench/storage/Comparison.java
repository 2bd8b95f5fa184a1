package io.weir.bench.storage;

import java.util.function.DoubleUnaryOperator;

/**
 * One line of the report: a Weir figure beside its raw ceiling, each taken from a benchmark score
 * converted to a display unit.
 *
 * @param label          what is compared
 * @param weir           the benchmark giving the Weir figure
 * @param weirValue      its score converted to {@code unit}
 * @param raw            the benchmark giving the ceiling (or baseline)
 * @param rawValue       its score converted to {@code unit}
 * @param unit           display unit of both figures
 * @param higherIsBetter throughput (the ratio reads as a share of the ceiling) or latency (as a multiple of it)
 */
public record Comparison(String label, BenchRun weir, DoubleUnaryOperator weirValue, BenchRun raw,
                         DoubleUnaryOperator rawValue, String unit, boolean higherIsBetter) {

    /** Weir divided by raw, both in display units. */
    public double ratio(double weirScore, double rawScore) {
        return weirValue.applyAsDouble(weirScore) / rawValue.applyAsDouble(rawScore);
    }

    public String formatRatio(double ratio) {
        return higherIsBetter ? String.format("%.0f%%", ratio * 100) : String.format("%.2fx", ratio);
    }
}
