package io.weir.bench.chart;

import java.util.List;

/**
 * What a benchmark report shows as a picture: a header (command, date, machine, settings), then sections of
 * groups, one group per workload and metric, one bar per system. A value class; {@link HtmlChart} draws it.
 *
 * @param title    the page title
 * @param header   lines shown above the charts as they are (settings, date, load, command line)
 * @param sections the charts, in report order
 * @param notes    lines shown below the charts (failed runs, remarks)
 */
public record Chart(String title, List<String> header, List<Section> sections, List<String> notes) {

    public Chart {
        header = List.copyOf(header);
        sections = List.copyOf(sections);
        notes = List.copyOf(notes);
    }

    /** One table of the text report: its groups, drawn on a common layout. */
    public record Section(String title, List<Group> groups) {
        public Section {
            groups = List.copyOf(groups);
        }
    }

    /**
     * One workload and metric: a bar per system, the ratio text printed beside the group, and an optional
     * check (the A/A verdict) printed under it.
     *
     * @param label         the workload
     * @param metric        what the bars measure, with its unit
     * @param lowerIsBetter latencies and times: the group says so, so that a longer bar is not read as better
     * @param bars          one per system, in the order of the text table
     * @param ratio         e.g. {@code "Weir/Kafka 1.04"}; empty when there is none
     * @param check         e.g. an A/A verdict; empty when there is none
     */
    public record Group(String label, String metric, boolean lowerIsBetter, List<Bar> bars, String ratio, String check) {
        public Group {
            bars = List.copyOf(bars);
        }
    }

    /**
     * One system's figure.
     *
     * @param system    the system's label
     * @param value     the figure (mean or median of the runs); NaN when no run succeeded
     * @param min       the smallest run's figure, NaN when there is no spread to show
     * @param max       the largest run's figure, NaN when there is no spread to show
     * @param valueText the figure as printed at the bar, with its unit
     * @param runsText  e.g. {@code "2/3 runs ok"}, or {@code "FAILED 0/2"}; empty when every run succeeded
     */
    public record Bar(String system, double value, double min, double max, String valueText, String runsText) {

        /** A bar with no successful run. */
        public static Bar failed(String system, String runsText) {
            return new Bar(system, Double.NaN, Double.NaN, Double.NaN, "", runsText);
        }

        boolean ok() {
            return !Double.isNaN(value) && !Double.isInfinite(value);
        }

        boolean hasSpread() {
            return !Double.isNaN(min) && !Double.isNaN(max) && max > min;
        }
    }

    /** Rates ({@code rec/s}, {@code MB/s}, {@code msg/s}) are higher-is-better, everything else (ms) lower-is-better. */
    public static boolean lowerIsBetter(String metric) {
        return !metric.contains("/s");
    }

    /** The unit at the end of a metric name such as {@code "e2e p99 ms"} or {@code "produce rec/s"}. */
    public static String unitOf(String metric) {
        int sp = metric.lastIndexOf(' ');
        return sp < 0 ? metric : metric.substring(sp + 1);
    }
}
