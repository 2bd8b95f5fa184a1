package io.weir.bench.storage;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Formats the report: for each comparison the Weir figure and the raw one (medians over the
 * rounds), the median of the per-round ratios, and the per-round ratios themselves as a measure
 * of the noise. Ratios are taken round by round because the two sides of a round ran minutes
 * apart at most, under the same load.
 */
public final class ReportTable {
    private ReportTable() {
    }

    /** {@code scores} holds, for each run, its scores in every round. */
    public static String format(List<Comparison> comparisons, Map<BenchRun, Scores[]> scores) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-54s %16s %16s %9s  %s%n", "figure", "Weir", "raw ceiling", "Weir/raw", "per round"));
        for (Comparison c : comparisons) {
            Scores[] weir = scores.get(c.weir());
            Scores[] raw = scores.get(c.raw());
            int rounds = Math.min(weir.length, raw.length);
            double[] weirValues = new double[rounds];
            double[] rawValues = new double[rounds];
            double[] ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                weirValues[i] = c.weirValue().applyAsDouble(weir[i]);
                rawValues[i] = c.rawValue().applyAsDouble(raw[i]);
                ratios[i] = weirValues[i] / rawValues[i];
            }
            String perRound = Arrays.stream(ratios).mapToObj(c::formatRatio).collect(Collectors.joining(" "));
            out.append(String.format("%-54s %16s %16s %9s  %s%n", c.label(), figure(median(weirValues), c.unit()),
                    figure(median(rawValues), c.unit()), c.formatRatio(median(ratios)), perRound));
        }
        return out.toString();
    }

    private static String figure(double value, String unit) {
        return (value >= 100 ? String.format("%.0f", value) : String.format("%.1f", value)) + " " + unit;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
