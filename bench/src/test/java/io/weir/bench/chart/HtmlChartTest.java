package io.weir.bench.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.bench.chart.Chart.Bar;
import io.weir.bench.chart.Chart.Group;
import io.weir.bench.chart.Chart.Section;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class HtmlChartTest {

    private static Chart fixture() {
        Group rate = new Group("1024 B, acks=all, 8 partitions", "produce rec/s", false,
                List.of(new Bar("Weir", 120_000, 110_000, 130_000, "120,000 rec/s", ""),
                        new Bar("Weir+gc", 90_000, Double.NaN, Double.NaN, "90,000 rec/s", "1/2 runs ok"),
                        new Bar("Kafka", 100_000, 95_000, 105_000, "100,000 rec/s", "")),
                "Weir/Kafka 1.20", "");
        Group latency = new Group("latency <5000/s> & acks=all", "e2e p99 ms", true,
                List.of(new Bar("Weir", 4.5, 4.0, 5.0, "4.50 ms", ""), new Bar("Kafka", 3.0, 2.5, 3.5, "3.00 ms", "")),
                "Weir/Kafka 1.50", "");
        Group failed = new Group("transactions, 100/txn", "txn rec/s", false,
                List.of(Bar.failed("Weir", "FAILED 0/2"), new Bar("Kafka", 5000, Double.NaN, Double.NaN, "5,000 rec/s", "")),
                "Weir/Kafka n/a", "");
        Group aa = new Group("1024 B, acks=all, 1 partition", "produce rec/s", false,
                List.of(new Bar("Kafka-A", 100, Double.NaN, Double.NaN, "100 rec/s", ""),
                        new Bar("Kafka-B", 95, Double.NaN, Double.NaN, "95 rec/s", "")),
                "Kafka-A/Kafka-B 1.05", "A/A within 0.8-1.25: harness ok");
        return new Chart("Weir vs <Kafka> & friends", List.of("settings: --quick --sizes=100 <x>", "load 3.1 2.9 2.5"),
                List.of(new Section("Throughput & latency", List.of(rate, latency, failed)), new Section("A/A harness check", List.of(aa))),
                List.of("transactions on Weir: FAILED: broker said <nope> & died"));
    }

    @Test
    void everySvgPartIsWellFormedAndHoldsEveryWorkloadSystemAndRatio() throws Exception {
        String html = HtmlChart.render(fixture());

        List<Document> svgs = SvgParts.parse(html);
        List<String> texts = SvgParts.texts(svgs);

        assertThat(svgs).hasSize(2);
        assertThat(texts).contains("1024 B, acks=all, 8 partitions \u2014 produce rec/s", "latency <5000/s> & acks=all \u2014 e2e p99 ms",
                "transactions, 100/txn \u2014 txn rec/s", "1024 B, acks=all, 1 partition \u2014 produce rec/s");
        assertThat(texts).contains("Weir", "Weir+gc", "Kafka", "Kafka-A", "Kafka-B");
        assertThat(texts).contains("Weir/Kafka 1.20", "Weir/Kafka 1.50", "Weir/Kafka n/a", "Kafka-A/Kafka-B 1.05");
        assertThat(texts).contains("120,000 rec/s", "4.50 ms", "90,000 rec/s (1/2 runs ok)");
        assertThat(texts).contains("A/A within 0.8-1.25: harness ok");
    }

    @Test
    void latencyGroupsSayLowerIsBetterAndRateGroupsHigher() throws Exception {
        List<String> texts = SvgParts.texts(SvgParts.parse(HtmlChart.render(fixture())));

        assertThat(texts).filteredOn(t -> t.contains("lower is better")).hasSize(1);
        assertThat(texts).filteredOn(t -> t.contains("higher is better")).hasSize(3);
    }

    @Test
    void aFailedSystemIsShownAsFailedWithoutABar() throws Exception {
        String html = HtmlChart.render(fixture());

        assertThat(SvgParts.texts(SvgParts.parse(html))).contains("FAILED 0/2");
        assertThat(html).doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void whiskersAreDrawnOnlyWhereThereWasASpread() throws Exception {
        List<Document> svgs = SvgParts.parse(HtmlChart.render(fixture()));

        // Weir and Kafka in the rate group and both in the latency group; none for single runs or the A/A part
        assertThat(svgs.get(0).getElementsByTagNameNS("http://www.w3.org/2000/svg", "path").getLength()).isEqualTo(4);
        assertThat(svgs.get(1).getElementsByTagNameNS("http://www.w3.org/2000/svg", "path").getLength()).isZero();
    }

    @Test
    void labelsAreEscapedInTheHeaderTheNotesAndTheSvg() {
        String html = HtmlChart.render(fixture());

        assertThat(html).contains("<title>Weir vs &lt;Kafka&gt; &amp; friends</title>")
                .contains("settings: --quick --sizes=100 &lt;x&gt;")
                .contains("latency &lt;5000/s&gt; &amp; acks=all")
                .contains("broker said &lt;nope&gt; &amp; died")
                .doesNotContain("<Kafka>").doesNotContain("<nope>").doesNotContain("<5000/s>");
    }

    @Test
    void thePageIsSelfContained() {
        String html = HtmlChart.render(fixture());

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<meta charset=\"utf-8\">").doesNotContain("<script")
                .doesNotContain("src=").doesNotContain("@import").doesNotContain("url(");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
    }

    @Test
    void theHtmlFileGoesBesideTheTextReport(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("target/side-by-side.txt");

        Path html = HtmlChart.besides(text);
        HtmlChart.write(fixture(), html);

        assertThat(html).isEqualTo(dir.resolve("target/side-by-side.html"));
        assertThat(HtmlChart.besides(dir.resolve("report"))).isEqualTo(dir.resolve("report.html"));
        assertThat(SvgParts.parse(Files.readString(html, StandardCharsets.UTF_8))).hasSize(2);
    }
}
