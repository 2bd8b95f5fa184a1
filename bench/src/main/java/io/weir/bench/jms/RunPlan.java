package io.weir.bench.jms;

import io.weir.bench.jms.JmsServer.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The order of the runs of a JMS side-by-side benchmark; pure. Every workload runs each system with a
 * fresh broker: the full mode in the mirrored order Weir, Artemis, Weir+gc, Weir+gc, Artemis, Weir per
 * round (so drift of the machine during a workload hits every system alike); the quick mode once each,
 * in that order for even workloads and reversed for odd ones. The A/A check then runs Artemis against
 * itself on the first workload: labels {@code A} and {@code B}, order A B (quick) or A B B A (full).
 */
final class RunPlan {

    /** One workload: a name for the table and the arguments of {@link JmsClientMain}. */
    record Workload(String name, List<String> clientArgs, int weirPartitions) {
    }

    /** One run: a workload on a fresh broker of {@code kind}; {@code label} is its column in the report. */
    record Run(Workload workload, Kind kind, String label, boolean aa) {
    }

    static final String AA_A = "Artemis A";
    static final String AA_B = "Artemis B";

    private RunPlan() {
    }

    static List<Workload> workloads(JmsSettings s) {
        String w = "--warmup=" + s.warmup();
        String q = "--messages=" + s.queueMessages();
        return List.of(
                new Workload("queue, 1 pair", List.of("--workload=queue", "--pairs=1", q, w), 1),
                new Workload("queue, 4 pairs", List.of("--workload=queue", "--pairs=4", q, w), 4),
                new Workload("topic, 4 durable subs", List.of("--workload=fanout", "--subscribers=4", "--messages=" + s.fanOutMessages(),
                        "--warmup=" + Math.max(1, s.warmup() / 4)), 1),
                new Workload("request/reply", List.of("--workload=reqreply", "--messages=" + s.requests(),
                        "--warmup=" + s.requestWarmup()), 1));
    }

    static List<Run> plan(List<Workload> workloads, int rounds, boolean quick, boolean aa) {
        List<Kind> forward = List.of(Kind.WEIR, Kind.ARTEMIS, Kind.WEIR_GROUP_COMMIT);
        List<Kind> backward = List.of(Kind.WEIR_GROUP_COMMIT, Kind.ARTEMIS, Kind.WEIR);
        List<Run> runs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < workloads.size(); i++) {
                List<Kind> order = new ArrayList<>();
                if (quick) {
                    order.addAll((i + r) % 2 == 0 ? forward : backward);
                } else {
                    order.addAll(forward);
                    order.addAll(backward);
                }
                for (Kind k : order) {
                    runs.add(new Run(workloads.get(i), k, k.label, false));
                }
            }
        }
        if (aa && !workloads.isEmpty()) {
            Workload first = workloads.get(0);
            List<String> labels = quick ? List.of(AA_A, AA_B) : List.of(AA_A, AA_B, AA_B, AA_A);
            for (String label : labels) {
                runs.add(new Run(first, Kind.ARTEMIS, label, true));
            }
        }
        return runs;
    }
}
