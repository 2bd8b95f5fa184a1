package io.weir.bench.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.bench.jms.JmsReport.Result;
import io.weir.bench.jms.JmsServer.Kind;
import io.weir.bench.jms.RunPlan.Run;
import io.weir.bench.jms.RunPlan.Workload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JmsReportTest {

    private static final Workload Q = new Workload("queue, 1 pair", List.of(), 1);

    private static Result ok(Kind kind, String label, boolean aa, double rate) {
        return new Result(new Run(Q, kind, label, aa), Map.of("msg/s", rate), null);
    }

    @Test
    void aResultLineRoundTripsThroughTheClientsFormat() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("msg/s", 1234.5);
        m.put("p99 ms", 0.25);

        assertThat(JmsReport.parseResult(JmsClientMain.format(m))).containsExactlyEntriesOf(m);
        assertThat(JmsReport.parseResult("some log line")).isNull();
        assertThatThrownBy(() -> JmsReport.parseResult("RESULT msg/s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed result 'msg/s'");
    }

    @Test
    void figuresAreMeansOfTheSuccessfulRunsAndRatiosAreAgainstArtemis() {
        List<Result> results = List.of(
                ok(Kind.WEIR, "Weir", false, 300),
                ok(Kind.ARTEMIS, "Artemis", false, 100),
                ok(Kind.WEIR_GROUP_COMMIT, "Weir+gc", false, 50),
                ok(Kind.WEIR_GROUP_COMMIT, "Weir+gc", false, 150),
                new Result(new Run(Q, Kind.ARTEMIS, "Artemis", false), null, "client exited with 1"),
                ok(Kind.WEIR, "Weir", false, 500));

        List<String> lines = JmsReport.lines(results);

        String row = lines.get(1);
        assertThat(row).startsWith("queue, 1 pair").contains("400 ±25%").contains("100 ±50%").contains("100 (1/2)");
        assertThat(row).endsWith("4.00         1.00");
        assertThat(lines).anyMatch(l -> l.contains("queue, 1 pair on Artemis: FAILED: client exited with 1"));
    }

    @Test
    void aSystemWithoutASuccessfulRunShowsFailedAndNoRatio() {
        List<Result> results = List.of(ok(Kind.WEIR, "Weir", false, 300),
                new Result(new Run(Q, Kind.ARTEMIS, "Artemis", false), null, "boom"));

        String row = JmsReport.lines(results).get(1);

        assertThat(row).contains("FAILED 0/1").contains("n/a").contains(" - ");
    }

    @Test
    void theAaCheckFlagsARatioOutsideTheBand() {
        List<String> close = JmsReport.lines(List.of(ok(Kind.ARTEMIS, RunPlan.AA_A, true, 100), ok(Kind.ARTEMIS, RunPlan.AA_B, true, 110)));
        List<String> far = JmsReport.lines(List.of(ok(Kind.ARTEMIS, RunPlan.AA_A, true, 100), ok(Kind.ARTEMIS, RunPlan.AA_B, true, 200)));

        assertThat(close).anyMatch(l -> l.contains("0.91") && l.contains("within 0.8-1.25"));
        assertThat(far).anyMatch(l -> l.contains("0.50") && l.contains("outside 0.8-1.25"));
    }

    @Test
    void theChartHasEveryWorkloadAndSystemTheRatiosAndTheFailedRuns() throws Exception {
        Workload pair = new Workload("queue <1 pair> & auto-ack", List.of(), 1);
        Map<String, Double> fast = new LinkedHashMap<>();
        fast.put("msg/s", 4000.0);
        fast.put("p99 ms", 2.0);
        Map<String, Double> slow = new LinkedHashMap<>();
        slow.put("msg/s", 2000.0);
        slow.put("p99 ms", 4.0);
        List<Result> results = List.of(
                new Result(new Run(pair, Kind.WEIR, "Weir", false), fast, null),
                new Result(new Run(pair, Kind.WEIR_GROUP_COMMIT, "Weir+gc", false), null, "client exited with 1"),
                new Result(new Run(pair, Kind.ARTEMIS, "Artemis", false), slow, null),
                ok(Kind.WEIR, "Weir", false, 300),
                ok(Kind.ARTEMIS, "Artemis", false, 100),
                ok(Kind.ARTEMIS, RunPlan.AA_A, true, 100),
                ok(Kind.ARTEMIS, RunPlan.AA_B, true, 95));

        io.weir.bench.chart.Chart chart = JmsReport.chart(results, List.of("settings: --quick"));
        String html = io.weir.bench.chart.HtmlChart.render(chart);
        List<String> texts = io.weir.bench.chart.SvgParts.texts(io.weir.bench.chart.SvgParts.parse(html));

        assertThat(texts).contains("queue <1 pair> & auto-ack \u2014 msg/s", "queue <1 pair> & auto-ack \u2014 p99 ms",
                "queue, 1 pair \u2014 msg/s");
        assertThat(texts).contains("Weir", "Weir+gc", "Artemis", RunPlan.AA_A, RunPlan.AA_B);
        assertThat(chart.sections().get(0).groups()).extracting(io.weir.bench.chart.Chart.Group::ratio)
                .containsExactly("Weir/Art 2.00, Weir+gc/Art n/a", "Weir/Art 0.50, Weir+gc/Art n/a", "Weir/Art 3.00");
        assertThat(texts).containsSubsequence("Weir/Art 2.00", "Weir+gc/Art n/a", "Weir/Art 0.50", "Weir+gc/Art n/a", "Weir/Art 3.00",
                "A/B 1.05");
        assertThat(texts).contains("4,000 msg/s", "2.00 ms", "FAILED 0/1 runs ok", "A/A within 0.8-1.25: harness ok");
        assertThat(texts).filteredOn(t -> t.contains("lower is better")).hasSize(1);
        assertThat(html).contains("queue &lt;1 pair&gt; &amp; auto-ack on Weir+gc: FAILED: client exited with 1");
    }
}
