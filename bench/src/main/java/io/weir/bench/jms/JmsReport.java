package io.weir.bench.jms;

import io.weir.bench.chart.Chart;
import io.weir.bench.jms.RunPlan.Run;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The tables of a JMS side-by-side benchmark, from its run results; pure (no I/O). A system's figure is
 * the mean of its successful runs, {@code ±x%} half the spread of them; ratios are mean over mean.
 */
final class JmsReport {

    /** A/A ratios outside this band mean the harness or the machine, not the broker, is being measured. */
    static final double AA_LOW = 0.80;
    static final double AA_HIGH = 1.25;

    /** The outcome of one run: metrics by name, or the error that ended it. */
    record Result(Run run, Map<String, Double> metrics, String error) {
    }

    private static final List<String> SYSTEMS = List.of("Weir", "Weir+gc", "Artemis");

    private JmsReport() {
    }

    static List<String> lines(List<Result> results) {
        List<String> out = new ArrayList<>();
        String head = "%-24s %-14s %16s %16s %16s %10s %12s";
        out.add(String.format(Locale.ROOT, head, "workload", "metric", "Weir", "Weir+gc", "Artemis", "Weir/Art", "Weir+gc/Art"));
        Map<String, List<Result>> byWorkload = group(results, false);
        for (var e : byWorkload.entrySet()) {
            boolean first = true;
            for (String metric : metrics(e.getValue())) {
                double[] w = stats(e.getValue(), "Weir", metric);
                double[] g = stats(e.getValue(), "Weir+gc", metric);
                double[] a = stats(e.getValue(), "Artemis", metric);
                out.add(String.format(Locale.ROOT, head, first ? e.getKey() : "", metric, cell(metric, w), cell(metric, g), cell(metric, a),
                        ratio(w[0] / a[0]), ratio(g[0] / a[0])));
                first = false;
            }
        }
        out.add("(ratios above 1.00 favour Weir for rates (/s), below 1.00 for latencies (ms))");
        Map<String, List<Result>> aa = group(results, true);
        if (!aa.isEmpty()) {
            out.add("");
            out.add("A/A harness check: Artemis against itself");
            String aaHead = "%-24s %-14s %16s %16s %10s  %s";
            out.add(String.format(Locale.ROOT, aaHead, "workload", "metric", RunPlan.AA_A, RunPlan.AA_B, "A/B", ""));
            for (var e : aa.entrySet()) {
                boolean first = true;
                for (String metric : metrics(e.getValue())) {
                    double[] x = stats(e.getValue(), RunPlan.AA_A, metric);
                    double[] y = stats(e.getValue(), RunPlan.AA_B, metric);
                    double r = x[0] / y[0];
                    String verdict = Double.isNaN(r) ? "" : r < AA_LOW || r > AA_HIGH
                            ? "outside " + AA_LOW + "-" + AA_HIGH + ": the machine's noise is as large as this; distrust smaller differences"
                            : "within " + AA_LOW + "-" + AA_HIGH;
                    out.add(String.format(Locale.ROOT, aaHead, first ? e.getKey() : "", metric, cell(metric, x), cell(metric, y), ratio(r), verdict));
                    first = false;
                }
            }
        }
        List<String> failures = new ArrayList<>();
        for (Result r : results) {
            if (r.error() != null) {
                failures.add(r.run().workload().name() + " on " + r.run().label() + ": FAILED: " + r.error());
            }
        }
        if (!failures.isEmpty()) {
            out.add("");
            out.add("failed runs:");
            failures.forEach(f -> out.add("  " + f));
        }
        return out;
    }

    /** The same figures as {@link #lines} as a {@link Chart}: per workload and metric Weir, Weir+gc and Artemis. */
    static Chart chart(List<Result> results, List<String> header) {
        List<Chart.Group> groups = new ArrayList<>();
        for (var e : group(results, false).entrySet()) {
            for (String metric : metrics(e.getValue())) {
                List<Chart.Bar> bars = new ArrayList<>();
                for (String system : SYSTEMS) {
                    double[] s = stats(e.getValue(), system, metric);
                    if (s[4] > 0) {
                        bars.add(bar(system, metric, s));
                    }
                }
                double art = stats(e.getValue(), "Artemis", metric)[0];
                String ratio = "Weir/Art " + ratio(stats(e.getValue(), "Weir", metric)[0] / art);
                if (stats(e.getValue(), "Weir+gc", metric)[4] > 0) {
                    ratio += ", Weir+gc/Art " + ratio(stats(e.getValue(), "Weir+gc", metric)[0] / art);
                }
                groups.add(new Chart.Group(e.getKey(), metric, Chart.lowerIsBetter(metric), bars, ratio, ""));
            }
        }
        List<Chart.Section> sections = new ArrayList<>();
        sections.add(new Chart.Section("Weir vs ActiveMQ Artemis (ratios above 1.00 favour Weir for rates, below 1.00 for latencies)",
                groups));
        List<Chart.Group> aaGroups = new ArrayList<>();
        for (var e : group(results, true).entrySet()) {
            for (String metric : metrics(e.getValue())) {
                double[] x = stats(e.getValue(), RunPlan.AA_A, metric);
                double[] y = stats(e.getValue(), RunPlan.AA_B, metric);
                double r = x[0] / y[0];
                String check = Double.isNaN(r) ? "A/A: no result" : r < AA_LOW || r > AA_HIGH
                        ? "A/A OUTSIDE " + AA_LOW + "-" + AA_HIGH + ": the machine's noise is as large as this; distrust smaller differences"
                        : "A/A within " + AA_LOW + "-" + AA_HIGH + ": harness ok";
                aaGroups.add(new Chart.Group(e.getKey(), metric, Chart.lowerIsBetter(metric),
                        List.of(bar(RunPlan.AA_A, metric, x), bar(RunPlan.AA_B, metric, y)), "A/B " + ratio(r), check));
            }
        }
        if (!aaGroups.isEmpty()) {
            sections.add(new Chart.Section("A/A harness check: Artemis against itself", aaGroups));
        }
        List<String> notes = new ArrayList<>();
        for (Result r : results) {
            if (r.error() != null) {
                notes.add(r.run().workload().name() + " on " + r.run().label() + ": FAILED: " + r.error());
            }
        }
        return new Chart("JMS side-by-side: Weir vs ActiveMQ Artemis", header, sections, notes);
    }

    private static Chart.Bar bar(String system, String metric, double[] s) {
        String runs = s[3] < s[4] ? (s[3] == 0 ? "FAILED " : "") + (int) s[3] + "/" + (int) s[4] + " runs ok" : "";
        if (Double.isNaN(s[0])) {
            return Chart.Bar.failed(system, runs);
        }
        String v = metric.endsWith("/s") ? String.format(Locale.ROOT, "%,.0f", s[0]) : String.format(Locale.ROOT, "%.2f", s[0]);
        boolean spread = s[3] > 1;
        return new Chart.Bar(system, s[0], spread ? s[1] : Double.NaN, spread ? s[2] : Double.NaN, v + " " + Chart.unitOf(metric), runs);
    }

    private static Map<String, List<Result>> group(List<Result> results, boolean aa) {
        Map<String, List<Result>> m = new LinkedHashMap<>();
        for (Result r : results) {
            if (r.run().aa() == aa) {
                m.computeIfAbsent(r.run().workload().name(), k -> new ArrayList<>()).add(r);
            }
        }
        return m;
    }

    private static Set<String> metrics(List<Result> results) {
        Set<String> s = new LinkedHashSet<>();
        results.forEach(r -> {
            if (r.metrics() != null) {
                s.addAll(r.metrics().keySet());
            }
        });
        if (s.isEmpty()) {
            s.add("(no result)");
        }
        return s;
    }

    /** {mean, min, max, successful runs, all runs} of one metric of one system. */
    static double[] stats(List<Result> results, String label, String metric) {
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int n = 0;
        int all = 0;
        for (Result r : results) {
            if (!r.run().label().equals(label)) {
                continue;
            }
            all++;
            Double v = r.error() == null && r.metrics() != null ? r.metrics().get(metric) : null;
            if (v != null) {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
                n++;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN, 0, all} : new double[] {sum / n, min, max, n, all};
    }

    static String cell(String metric, double[] s) {
        if (s[4] == 0) {
            return "-";
        }
        if (Double.isNaN(s[0])) {
            return "FAILED 0/" + (int) s[4];
        }
        String v = metric.endsWith("/s") ? String.format(Locale.ROOT, "%,.0f", s[0]) : String.format(Locale.ROOT, "%.2f", s[0]);
        if (s[3] > 1 && s[0] != 0) {
            v += String.format(Locale.ROOT, " ±%.0f%%", (s[2] - s[1]) / 2 / Math.abs(s[0]) * 100);
        }
        if (s[3] < s[4]) {
            v += " (" + (int) s[3] + "/" + (int) s[4] + ")";
        }
        return v;
    }

    static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "n/a" : String.format(Locale.ROOT, "%.2f", r);
    }

    /** Parses {@link JmsClientMain}'s {@code RESULT a=1.0;b=2.0} line; null when {@code line} is not one. */
    static Map<String, Double> parseResult(String line) {
        if (!line.startsWith(JmsClientMain.RESULT)) {
            return null;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (String kv : line.substring(JmsClientMain.RESULT.length()).split(";")) {
            int eq = kv.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed result '" + kv + "' in: " + line);
            }
            m.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
        }
        return m;
    }
}
