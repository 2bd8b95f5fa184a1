package io.weir.bench.jms;

import io.weir.bench.jms.JmsServer.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** Every workload, by the id {@code --workloads=} takes, in the order they run. */
    static final List<String> WORKLOAD_IDS = List.of("queue1", "queue4", "fanout", "reqreply", "reqreply-np", "receive-auto",
            "receive-client", "send-tx", "relay-tx", "attach", "procs1", "procs4", "send-async");

    /** The workloads {@code s} selects, in {@link #WORKLOAD_IDS} order. */
    static List<Workload> workloads(JmsSettings s) {
        String w = "--warmup=" + s.warmup();
        String q = "--messages=" + s.queueMessages();
        String rq = "--messages=" + s.requests();
        String rw = "--warmup=" + s.requestWarmup();
        Map<String, Workload> all = new LinkedHashMap<>();
        all.put("queue1", new Workload("queue, 1 pair", List.of("--workload=queue", "--pairs=1", q, w), 1));
        all.put("queue4", new Workload("queue, 4 pairs", List.of("--workload=queue", "--pairs=4", q, w), 4));
        all.put("fanout", new Workload("topic, 4 durable subs", List.of("--workload=fanout", "--subscribers=4",
                "--messages=" + s.fanOutMessages(), "--warmup=" + Math.max(1, s.warmup() / 4)), 1));
        all.put("reqreply", new Workload("request/reply", List.of("--workload=reqreply", rq, rw), 1));
        all.put("reqreply-np", new Workload("request/reply non-pers.", List.of("--workload=reqreply", "--persistent=false", rq, rw), 1));
        all.put("receive-auto", new Workload("receive, AUTO", List.of("--workload=receive", "--ack=auto", q, w), 1));
        all.put("receive-client", new Workload("receive, CLIENT ack/100", List.of("--workload=receive", "--ack=client", "--ack-every=100",
                q, w), 1));
        all.put("send-tx", new Workload("send, transacted/100", List.of("--workload=send-tx", "--per-commit=100", q, w), 1));
        all.put("relay-tx", new Workload("relay, transacted/100", List.of("--workload=relay", "--per-commit=100", q, w), 1));
        all.put("attach", new Workload("attach (create→1st msg)", List.of("--workload=attach", "--messages=" + s.attaches(),
                "--warmup=" + Math.max(1, s.attaches() / 10), "--backlog=10"), 1));
        all.put("procs1", new Workload("queue, 1 consumer process", List.of("--workload=procs", "--processes=1", q,
                "--warmup=0"), 1));
        all.put("procs4", new Workload("queue, 4 consumer processes", List.of("--workload=procs", "--processes=4", q,
                "--warmup=0"), 1));
        all.put("send-async", new Workload("queue, 1 pair, async/1000", List.of("--workload=queue", "--pairs=1", "--window=1000",
                q, w), 1));
        List<Workload> chosen = new ArrayList<>();
        for (String id : WORKLOAD_IDS) {
            if (s.workloads().contains(id)) {
                chosen.add(all.get(id));
            }
        }
        return chosen;
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
