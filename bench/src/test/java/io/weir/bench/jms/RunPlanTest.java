package io.weir.bench.jms;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.bench.jms.JmsServer.Kind;
import io.weir.bench.jms.RunPlan.Run;
import io.weir.bench.jms.RunPlan.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunPlanTest {

    private static final Workload Q = new Workload("q", List.of("--workload=queue"), 1);
    private static final Workload T = new Workload("t", List.of("--workload=fanout"), 1);

    @Test
    void fullModeMirrorsTheOrderOfEveryWorkloadAndEndsWithAnArtemisAaInABBAOrder() {
        List<Run> runs = RunPlan.plan(List.of(Q, T), 1, false, true);

        assertThat(runs).hasSize(2 * 6 + 4);
        assertThat(runs.subList(0, 6)).extracting(Run::kind).containsExactly(Kind.WEIR, Kind.ARTEMIS, Kind.WEIR_GROUP_COMMIT,
                Kind.WEIR_GROUP_COMMIT, Kind.ARTEMIS, Kind.WEIR);
        assertThat(runs.subList(0, 6)).extracting(Run::workload).containsOnly(Q);
        assertThat(runs.subList(6, 12)).extracting(Run::workload).containsOnly(T);
        assertThat(runs.subList(12, 16)).extracting(Run::label)
                .containsExactly(RunPlan.AA_A, RunPlan.AA_B, RunPlan.AA_B, RunPlan.AA_A);
        assertThat(runs.subList(12, 16)).allMatch(r -> r.aa() && r.kind() == Kind.ARTEMIS && r.workload() == Q);
        assertThat(runs.subList(0, 12)).noneMatch(Run::aa);
    }

    @Test
    void quickModeRunsEachSystemOnceAlternatingTheOrderBetweenWorkloads() {
        List<Run> runs = RunPlan.plan(List.of(Q, T), 1, true, true);

        assertThat(runs).extracting(Run::label).containsExactly("Weir", "Artemis", "Weir+gc", "Weir+gc", "Artemis", "Weir",
                RunPlan.AA_A, RunPlan.AA_B);
    }

    @Test
    void roundsRepeatThePlanAndTheAaCheckCanBeLeftOut() {
        List<Run> runs = RunPlan.plan(List.of(Q), 3, true, false);

        assertThat(runs).hasSize(9).noneMatch(Run::aa);
        // the second round starts where the first ended, so no system always goes first
        assertThat(runs.get(3).kind()).isEqualTo(Kind.WEIR_GROUP_COMMIT);
    }

    @Test
    void theFourPairQueueGivesWeirFourPartitions() {
        JmsSettings s = JmsSettings.parse(new String[] {"--repo=/tmp", "--quick"});

        assertThat(RunPlan.workloads(s)).extracting(Workload::name)
                .containsExactly("queue, 1 pair", "queue, 4 pairs", "topic, 4 durable subs", "request/reply",
                        "request/reply non-pers.", "receive, AUTO", "receive, CLIENT ack/100", "send, transacted/100", "relay, transacted/100",
                        "attach (create→1st msg)", "queue, 1 consumer process", "queue, 4 consumer processes",
                        "queue, 1 pair, async/1000");
        assertThat(RunPlan.workloads(s).get(1).weirPartitions()).isEqualTo(4);
        assertThat(RunPlan.workloads(s).get(1).clientArgs()).contains("--pairs=4", "--messages=2000");
        assertThat(RunPlan.workloads(s).get(4).clientArgs()).contains("--workload=reqreply", "--persistent=false");
        assertThat(RunPlan.workloads(s).get(6).clientArgs()).contains("--workload=receive", "--ack=client", "--ack-every=100");
        assertThat(RunPlan.workloads(s).get(7).clientArgs()).contains("--workload=send-tx", "--per-commit=100", "--messages=2000");
        assertThat(RunPlan.workloads(s).get(8).clientArgs()).contains("--workload=relay", "--per-commit=100", "--messages=2000");
        assertThat(RunPlan.workloads(s).get(9).clientArgs()).contains("--workload=attach", "--messages=10", "--backlog=10");
        assertThat(RunPlan.workloads(s).get(11).clientArgs()).contains("--workload=procs", "--processes=4", "--messages=2000");
        assertThat(RunPlan.workloads(s).get(11).weirPartitions()).as("one partition: share groups split it").isEqualTo(1);
        assertThat(RunPlan.workloads(s).get(12).clientArgs()).contains("--workload=queue", "--pairs=1", "--window=1000");
    }

    @Test
    void workloadsCanBeChosenAndKeepTheirOrder() {
        JmsSettings s = JmsSettings.parse(new String[] {"--repo=/tmp", "--quick", "--workloads=receive-client,queue1"});

        assertThat(RunPlan.workloads(s)).extracting(Workload::name).containsExactly("queue, 1 pair", "receive, CLIENT ack/100");
    }
}
