package io.weir.bench.storage;

import java.util.function.ToDoubleFunction;

/**
 * One line of the report: a Weir figure beside its raw ceiling, each computed from the scores of a
 * benchmark run (the same run for paired benchmarks, which time both sides alternately).
 *
 * @param label          what is compared
 * @param weir           the run giving the Weir figure
 * @param weirValue      the Weir figure, in {@code unit}, from that run's scores
 * @param raw            the run giving the ceiling (or baseline)
 * @param rawValue       the ceiling, in {@code unit}, from that run's scores
 * @param unit           display unit of both figures
 * @param higherIsBetter throughput (the ratio reads as a share of the ceiling) or a time (as a multiple of it)
 */
public record Comparison(String label, BenchRun weir, ToDoubleFunction<Scores> weirValue, BenchRun raw,
                         ToDoubleFunction<Scores> rawValue, String unit, boolean higherIsBetter) {

    public String formatRatio(double ratio) {
        return higherIsBetter ? String.format("%.0f%%", ratio * 100) : String.format("%.2fx", ratio);
    }
}
