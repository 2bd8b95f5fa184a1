package io.weir.bench.chart;

import io.weir.bench.chart.Chart.Bar;
import io.weir.bench.chart.Chart.Group;
import io.weir.bench.chart.Chart.Section;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link Chart} as one self-contained HTML page: inline CSS and one inline SVG per section, no
 * scripts, no fonts or images from elsewhere, so it renders offline in any browser. Each group is a set of
 * horizontal bars scaled to the group's largest figure (bars of different metrics are not comparable), with
 * the value at the bar end, a min-max whisker where there were several runs, and the ratio (or ratios, one a
 * line, when the text holds several separated by {@code ", "}) at the right edge.
 * Each SVG is well-formed XML on its own. Pure: {@link #render} builds a string, {@link #write} stores it.
 */
public final class HtmlChart {

    private static final int WIDTH = 980;
    private static final int NAME_W = 130;
    private static final int BAR_X = NAME_W + 10;
    private static final int BAR_MAX = 400;
    private static final int BAR_H = 16;
    private static final int BAR_GAP = 5;
    private static final int LABEL_H = 22;
    private static final int GROUP_GAP = 16;
    private static final String[] PALETTE = {"#1f6fb4", "#6aaee0", "#e07b1f", "#f2b36b", "#4f9d4f", "#9a6fb0"};

    private HtmlChart() {
    }

    /** Writes {@code chart} to {@code file} (UTF-8), creating the parent directory. */
    public static void write(Chart chart, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(chart), StandardCharsets.UTF_8);
    }

    /** {@code report.txt} to {@code report.html} beside it; any other name gets {@code .html} appended. */
    public static Path besides(Path textReport) {
        String name = textReport.getFileName().toString();
        String base = name.endsWith(".txt") ? name.substring(0, name.length() - 4) : name;
        return textReport.resolveSibling(base + ".html");
    }

    public static String render(Chart chart) {
        List<String> systems = systems(chart);
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(chart.title())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1000px}\n")
                .append("pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap;font-size:12px}\n")
                .append("svg{display:block;margin-bottom:1.5em}\n")
                .append(".legend span{display:inline-block;margin-right:1.2em}\n")
                .append(".legend i{display:inline-block;width:12px;height:12px;margin-right:.3em;vertical-align:middle}\n")
                .append("</style>\n</head>\n<body>\n<h1>").append(esc(chart.title())).append("</h1>\n<pre>");
        for (String line : chart.header()) {
            h.append(esc(line)).append('\n');
        }
        h.append("</pre>\n<p class=\"legend\">");
        for (int i = 0; i < systems.size(); i++) {
            h.append("<span><i style=\"background:").append(color(i)).append("\"></i>").append(esc(systems.get(i))).append("</span>");
        }
        h.append("</p>\n<p>Bars of one group share a scale starting at zero; whiskers span the fastest and slowest run. "
                + "Groups marked \u2193 lower is better measure times: there the shorter bar is the better one.</p>\n");
        for (Section s : chart.sections()) {
            h.append("<h2>").append(esc(s.title())).append("</h2>\n");
            h.append(svg(s, systems)).append('\n');
        }
        if (!chart.notes().isEmpty()) {
            h.append("<h2>Notes</h2>\n<pre>");
            for (String n : chart.notes()) {
                h.append(esc(n)).append('\n');
            }
            h.append("</pre>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /** One section as a standalone SVG element. */
    static String svg(Section s, List<String> systems) {
        StringBuilder b = new StringBuilder();
        int y = 4;
        for (Group g : s.groups()) {
            y = group(b, g, y, systems);
        }
        int height = Math.max(y, 20);
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + height + "\" viewBox=\"0 0 " + WIDTH
                + " " + height + "\" font-family=\"sans-serif\" font-size=\"12\">\n" + b + "</svg>";
    }

    private static int group(StringBuilder b, Group g, int top, List<String> systems) {
        double scale = 0;
        for (Bar bar : g.bars()) {
            if (bar.ok()) {
                scale = Math.max(scale, Math.abs(bar.value()));
            }
            if (bar.hasSpread()) {
                scale = Math.max(scale, Math.abs(bar.max()));
            }
        }
        String direction = g.lowerIsBetter() ? "\u2193 lower is better" : "\u2191 higher is better";
        b.append("<g class=\"group\">\n");
        b.append(text(0, top + 14, "bold", "", g.label() + " \u2014 " + g.metric()));
        b.append(text(BAR_X + BAR_MAX + 10, top + 14, "", g.lowerIsBetter() ? "#b03030" : "#307030", direction));
        int y = top + LABEL_H;
        for (Bar bar : g.bars()) {
            int idx = systems.indexOf(bar.system());
            b.append(text(0, y + BAR_H - 4, "", "", bar.system()));
            if (bar.ok() && scale > 0) {
                double w = Math.max(1, Math.abs(bar.value()) / scale * BAR_MAX);
                b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>\n",
                        BAR_X, y, w, BAR_H, color(idx), esc(bar.system() + ": " + bar.valueText())));
                double end = BAR_X + w;
                if (bar.hasSpread()) {
                    double x1 = BAR_X + Math.abs(bar.min()) / scale * BAR_MAX;
                    double x2 = BAR_X + Math.abs(bar.max()) / scale * BAR_MAX;
                    int cy = y + BAR_H / 2;
                    b.append(String.format(Locale.ROOT, "<path d=\"M%.1f %d H%.1f M%.1f %d V%d M%.1f %d V%d\" stroke=\"#222\" fill=\"none\"/>\n",
                            x1, cy, x2, x1, cy - 4, cy + 4, x2, cy - 4, cy + 4));
                    end = Math.max(end, x2);
                }
                String label = bar.valueText() + (bar.runsText().isEmpty() ? "" : " (" + bar.runsText() + ")");
                b.append(text((int) Math.ceil(end) + 6, y + BAR_H - 4, "", "", label));
            } else {
                b.append(text(BAR_X, y + BAR_H - 4, "bold", "#b03030", bar.runsText().isEmpty() ? "no result" : bar.runsText()));
            }
            y += BAR_H + BAR_GAP;
        }
        int mid = top + LABEL_H + (y - top - LABEL_H) / 2;
        if (!g.ratio().isEmpty()) {
            // several ratios (Weir/peer, Weir+gc/peer) one under the other, right-aligned at the edge
            String[] parts = g.ratio().split(", ");
            int ry = mid + 4 - (parts.length - 1) * 8;
            for (String part : parts) {
                b.append("<text x=\"" + (WIDTH - 4) + "\" y=\"" + ry + "\" text-anchor=\"end\" font-weight=\"bold\">" + esc(part) + "</text>\n");
                ry += 16;
            }
        }
        if (!g.check().isEmpty()) {
            b.append(text(BAR_X, y + 10, "", "#555", g.check()));
            y += 16;
        }
        b.append("</g>\n");
        return y + GROUP_GAP;
    }

    private static String text(int x, int y, String weight, String fill, String s) {
        return "<text x=\"" + x + "\" y=\"" + y + "\"" + (weight.isEmpty() ? "" : " font-weight=\"" + weight + "\"")
                + (fill.isEmpty() ? "" : " fill=\"" + fill + "\"") + ">" + esc(s) + "</text>\n";
    }

    /** Every system in the order first met, so that a system keeps its colour across groups and sections. */
    private static List<String> systems(Chart chart) {
        List<String> out = new ArrayList<>();
        for (Section s : chart.sections()) {
            for (Group g : s.groups()) {
                for (Bar bar : g.bars()) {
                    if (!out.contains(bar.system())) {
                        out.add(bar.system());
                    }
                }
            }
        }
        return out;
    }

    private static String color(int index) {
        return PALETTE[Math.floorMod(index, PALETTE.length)];
    }

    /** Escapes text for HTML and XML alike (no named entities beyond the five XML ones). */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        b.append(' '); // control characters are not allowed in XML 1.0
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
