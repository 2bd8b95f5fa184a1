package io.weir.bench.sbs;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.bench.chart.Chart;
import io.weir.bench.chart.HtmlChart;
import io.weir.bench.chart.SvgParts;
import io.weir.bench.sbs.Workloads.RunResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportChartTest {

    private static RunResult ok(double rate, double p99) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("produce rec/s", rate);
        m.put("e2e p99 ms", p99);
        return new RunResult(m, null, List.of());
    }

    @Test
    void aComparisonBecomesOneGroupPerWorkloadAndMetricWithTheRatioAndTheDirection() throws Exception {
        Report.Comparison c = new Report.Comparison("Producer & consumer throughput", "Weir", "Kafka");
        c.add("1024 B <acks=all>", "Weir", ok(200, 4));
        c.add("1024 B <acks=all>", "Kafka", ok(100, 2));
        c.add("1024 B <acks=all>", "Kafka", ok(100, 2));
        c.add("1024 B <acks=all>", "Weir", RunResult.failed("broker died"));
        c.add("100 B", "Weir", RunResult.failed("startup: timeout"));
        c.add("100 B", "Kafka", ok(300, 1));

        Chart.Section s = c.section(false);

        assertThat(s.groups()).extracting(Chart.Group::label, Chart.Group::metric, Chart.Group::lowerIsBetter, Chart.Group::ratio)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("1024 B <acks=all>", "produce rec/s", false, "Weir/Kafka 2.00"),
                        org.assertj.core.groups.Tuple.tuple("1024 B <acks=all>", "e2e p99 ms", true, "Weir/Kafka 2.00"),
                        org.assertj.core.groups.Tuple.tuple("100 B", "produce rec/s", false, "Weir/Kafka n/a"),
                        org.assertj.core.groups.Tuple.tuple("100 B", "e2e p99 ms", true, "Weir/Kafka n/a"));
        Chart.Bar weir = s.groups().get(0).bars().get(0);
        assertThat(weir.valueText()).isEqualTo("200 rec/s");
        assertThat(weir.runsText()).isEqualTo("1/2 runs ok");
        assertThat(s.groups().get(2).bars().get(0).runsText()).isEqualTo("FAILED 0/1 ok");

        String html = HtmlChart.render(new Chart("sbs", List.of(), List.of(s), List.of()));
        assertThat(SvgParts.texts(SvgParts.parse(html))).contains("1024 B <acks=all> \u2014 produce rec/s", "Weir/Kafka 2.00");
    }

    @Test
    void theAaSectionCarriesTheHarnessVerdict() {
        Report.Comparison aa = new Report.Comparison("Harness check", "Kafka-A", "Kafka-B");
        aa.add("1024 B", "Kafka-A", ok(100, 2));
        aa.add("1024 B", "Kafka-B", ok(200, 2));

        List<Chart.Group> groups = aa.section(true).groups();

        assertThat(groups.get(0).check()).startsWith("A/A OUTSIDE 0.8-1.25");
        assertThat(groups.get(1).check()).startsWith("A/A within 0.8-1.25");
    }
}
