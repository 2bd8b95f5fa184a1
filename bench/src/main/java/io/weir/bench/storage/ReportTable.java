package io.weir.bench.storage;

import io.weir.bench.chart.Chart;
import java.util.ArrayList;
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
            Rounds r = Rounds.of(c, scores);
            String perRound = Arrays.stream(r.ratios()).mapToObj(c::formatRatio).collect(Collectors.joining(" "));
            out.append(String.format("%-54s %16s %16s %9s  %s%n", c.label(), figure(median(r.weir()), c.unit()),
                    figure(median(r.raw()), c.unit()), c.formatRatio(median(r.ratios())), perRound));
        }
        return out.toString();
    }

    /**
     * The same figures as {@link #format} as a chart section: per comparison the Weir median and the raw one,
     * whiskers over the rounds, and the median per-round ratio beside them.
     */
    public static Chart.Section section(List<Comparison> comparisons, Map<BenchRun, Scores[]> scores) {
        List<Chart.Group> groups = new ArrayList<>();
        for (Comparison c : comparisons) {
            Rounds r = Rounds.of(c, scores);
            groups.add(new Chart.Group(c.label(), c.unit(), !c.higherIsBetter(),
                    List.of(bar("Weir", r.weir(), c.unit()), bar("raw ceiling", r.raw(), c.unit())),
                    "Weir/raw " + c.formatRatio(median(r.ratios())), ""));
        }
        return new Chart.Section("Weir beside the raw FileChannel ceiling (medians over the rounds)", groups);
    }

    /** One comparison's figures per round (the rounds both runs have): Weir's, the raw ceiling's, and their ratios. */
    private record Rounds(double[] weir, double[] raw, double[] ratios) {
        static Rounds of(Comparison c, Map<BenchRun, Scores[]> scores) {
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
            return new Rounds(weirValues, rawValues, ratios);
        }
    }

    private static Chart.Bar bar(String system, double[] values, String unit) {
        double m = median(values);
        double min = Arrays.stream(values).min().orElse(Double.NaN);
        double max = Arrays.stream(values).max().orElse(Double.NaN);
        boolean spread = values.length > 1;
        return new Chart.Bar(system, m, spread ? min : Double.NaN, spread ? max : Double.NaN, figure(m, unit), "");
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
