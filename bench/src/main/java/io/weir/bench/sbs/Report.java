package io.weir.bench.sbs;

import io.weir.bench.chart.Chart;
import io.weir.bench.sbs.Workloads.RunResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Collects the runs of every workload and prints the comparison tables. */
final class Report {
    /** A/A ratios outside this band mean the harness, not the broker, is being measured. */
    static final double AA_LOW = 0.80;
    static final double AA_HIGH = 1.25;

    /** One comparison: two labelled systems, the runs of each, per workload in run order. */
    static final class Comparison {
        final String title;
        final String a;
        final String b;
        final Map<String, Map<String, List<RunResult>>> runs = new LinkedHashMap<>();

        Comparison(String title, String a, String b) {
            this.title = title;
            this.a = a;
            this.b = b;
        }

        void add(String workload, String system, RunResult r) {
            runs.computeIfAbsent(workload, w -> {
                Map<String, List<RunResult>> m = new LinkedHashMap<>();
                m.put(a, new ArrayList<>());
                m.put(b, new ArrayList<>());
                return m;
            }).get(system).add(r);
        }

        /** mean(a) / mean(b) of a metric, or NaN when either side has no successful run. */
        double ratio(String workload, String metric) {
            Map<String, List<RunResult>> w = runs.get(workload);
            return w == null ? Double.NaN : stats(w.get(a), metric)[0] / stats(w.get(b), metric)[0];
        }

        /**
         * The same figures as {@link #lines} as a chart section: per workload and metric a bar for each system and
         * the ratio; {@code aaCheck} adds the A/A verdict of that band to each group.
         */
        Chart.Section section(boolean aaCheck) {
            List<Chart.Group> groups = new ArrayList<>();
            for (var e : runs.entrySet()) {
                List<RunResult> ra = e.getValue().get(a);
                List<RunResult> rb = e.getValue().get(b);
                Set<String> metrics = new LinkedHashSet<>();
                ra.forEach(r -> metrics.addAll(r.metrics().keySet()));
                rb.forEach(r -> metrics.addAll(r.metrics().keySet()));
                if (metrics.isEmpty()) {
                    groups.add(new Chart.Group(e.getKey(), "(no result)", false,
                            List.of(Chart.Bar.failed(a, "FAILED " + okCount(ra)), Chart.Bar.failed(b, "FAILED " + okCount(rb))), "", ""));
                }
                for (String metric : metrics) {
                    double r = stats(ra, metric)[0] / stats(rb, metric)[0];
                    String check = !aaCheck ? "" : Double.isNaN(r) ? "A/A: no result" : r < AA_LOW || r > AA_HIGH
                            ? "A/A OUTSIDE " + AA_LOW + "-" + AA_HIGH + ": the harness is noisy; distrust the ratios above"
                            : "A/A within " + AA_LOW + "-" + AA_HIGH + ": harness ok";
                    groups.add(new Chart.Group(e.getKey(), metric, Chart.lowerIsBetter(metric),
                            List.of(bar(a, metric, ra), bar(b, metric, rb)), a + "/" + b + " " + fmtRatio(r), check));
                }
            }
            return new Chart.Section(title, groups);
        }

        private static Chart.Bar bar(String system, String metric, List<RunResult> runs) {
            double[] s = stats(runs, metric);
            if (runs.isEmpty()) {
                return Chart.Bar.failed(system, "not run");
            }
            String count = s[3] < runs.size() ? (int) s[3] + "/" + runs.size() + " runs ok" : "";
            if (Double.isNaN(s[0])) {
                return Chart.Bar.failed(system, "FAILED " + okCount(runs));
            }
            boolean spread = s[3] > 1;
            return new Chart.Bar(system, s[0], spread ? s[1] : Double.NaN, spread ? s[2] : Double.NaN,
                    fmt(metric, s[0]) + " " + Chart.unitOf(metric), count);
        }

        List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add("== " + title + " ==");
            out.add(String.format(Locale.ROOT, "%-30s %-20s %20s %20s %10s", "workload", "metric", a, b, a + "/" + b));
            List<String> failures = new ArrayList<>();
            for (var e : runs.entrySet()) {
                String workload = e.getKey();
                List<RunResult> ra = e.getValue().get(a);
                List<RunResult> rb = e.getValue().get(b);
                Set<String> metrics = new LinkedHashSet<>();
                ra.forEach(r -> metrics.addAll(r.metrics().keySet()));
                rb.forEach(r -> metrics.addAll(r.metrics().keySet()));
                boolean first = true;
                if (metrics.isEmpty()) {
                    out.add(String.format(Locale.ROOT, "%-30s %-20s %20s %20s %10s", workload, "(no result)",
                            okCount(ra), okCount(rb), "n/a"));
                }
                for (String metric : metrics) {
                    double[] sa = stats(ra, metric);
                    double[] sb = stats(rb, metric);
                    out.add(String.format(Locale.ROOT, "%-30s %-20s %20s %20s %10s", first ? workload : "", metric,
                            cell(metric, sa, ra), cell(metric, sb, rb), fmtRatio(sa[0] / sb[0])));
                    first = false;
                }
                for (String sys : List.of(a, b)) {
                    for (RunResult r : e.getValue().get(sys)) {
                        if (r.error() != null) {
                            failures.add(workload + " on " + sys + ": FAILED: " + r.error());
                        }
                        for (String n : r.notes()) {
                            if (!n.contains("latencies recorded") && !n.startsWith("phases:") && !n.startsWith("produce ack latency")
                                    && !n.contains("took >= 100 ms")) {
                                failures.add(workload + " on " + sys + ": " + n);
                            }
                        }
                    }
                }
            }
            if (!failures.isEmpty()) {
                out.add("notes:");
                failures.forEach(f -> out.add("  " + f));
            }
            return out;
        }
    }

    /** {mean, min, max, successful runs} of a metric. */
    static double[] stats(List<RunResult> runs, String metric) {
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (RunResult r : runs) {
            Double v = r.error() == null ? r.metrics().get(metric) : null;
            if (v != null) {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
                n++;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN, 0} : new double[] {sum / n, min, max, n};
    }

    private static String okCount(List<RunResult> runs) {
        long ok = runs.stream().filter(r -> r.error() == null).count();
        return ok + "/" + runs.size() + " ok";
    }

    private static String cell(String metric, double[] s, List<RunResult> runs) {
        if (runs.isEmpty()) {
            return "not run";
        }
        if (Double.isNaN(s[0])) {
            return "FAILED " + okCount(runs);
        }
        String v = fmt(metric, s[0]);
        if (s[3] > 1 && s[0] != 0) {
            v += String.format(Locale.ROOT, " ±%2.0f%%", (s[2] - s[1]) / 2 / Math.abs(s[0]) * 100);
        } else {
            v += "     ";
        }
        if (s[3] < runs.size()) {
            v += " (" + (int) s[3] + "/" + runs.size() + ")";
        }
        return v;
    }

    static String fmt(String metric, double v) {
        if (metric.contains("rec/s")) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (metric.contains("MB/s")) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String fmtRatio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "n/a" : String.format(Locale.ROOT, "%.2f", r);
    }

    /** Geometric mean of the ratios of one metric over the workloads that have it. */
    static double geoMean(Comparison c, String metric) {
        double logSum = 0;
        int n = 0;
        for (String w : c.runs.keySet()) {
            double r = c.ratio(w, metric);
            if (!Double.isNaN(r) && r > 0 && !Double.isInfinite(r)) {
                logSum += Math.log(r);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(logSum / n);
    }
}
