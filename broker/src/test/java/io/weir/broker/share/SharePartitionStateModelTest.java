package io.weir.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link SharePartitionState} (offsets in rings of arrays, counts and a deadline bound that spare it walks of the
 * window) against the rules written the plainest way: a map entry per in-flight offset and a walk of all of them for
 * every question. Random acquisitions, acknowledgements of every type, lock expiries, members leaving and the log start
 * moving, over a window far larger than the rings' first size (so they grow and wrap); after every step both must give
 * the same answers and the same snapshot.
 */
class SharePartitionStateModelTest {
    private static final int LIMIT = 3;
    private static final String[] MEMBERS = {"a", "b", "c", "d"};

    @Test
    void theRingsAnswerAsAMapOfEveryOffsetDoes() {
        for (long seed = 1; seed <= 40; seed++) {
            run(new Random(seed), seed);
        }
    }

    private static void run(Random random, long seed) {
        int maxInFlight = 50 + random.nextInt(1_500);
        SharePartitionState rings = SharePartitionState.fresh(0, LIMIT, maxInFlight);
        Model model = new Model(maxInFlight);
        long now = 1_000;
        long highWatermark = 0;
        for (int step = 0; step < 600; step++) {
            String where = "seed " + seed + " step " + step;
            String member = MEMBERS[random.nextInt(MEMBERS.length)];
            int op = random.nextInt(100);
            if (op < 30) {
                highWatermark += random.nextInt(400);
                int max = 1 + random.nextInt(300);
                long lock = 50 + random.nextInt(500);
                assertThat(rings.acquire(member, max, highWatermark, lock, now)).as(where)
                        .isEqualTo(model.acquire(member, max, highWatermark, lock, now));
            } else if (op < 70) {
                List<long[]> held = model.held(member);
                if (!held.isEmpty()) {
                    long[] run = held.get(random.nextInt(held.size()));
                    long first = run[0] + random.nextInt((int) (run[1] - run[0] + 1));
                    long last = first + random.nextInt((int) (run[1] - first + 1));
                    if (random.nextInt(10) == 0) {
                        last++; // sometimes one too far: refused whole by both
                    }
                    AckType type = AckType.values()[random.nextInt(AckType.values().length)];
                    long lock = 10 + random.nextInt(600); // a renewal may end before the record's earlier deadline
                    assertThat(rings.acknowledge(member, first, last, type, lock, now)).as(where)
                            .isEqualTo(model.acknowledge(member, first, last, type, lock, now));
                }
            } else if (op < 85) {
                now += random.nextInt(200);
                assertThat(rings.expireLocks(now)).as(where).isEqualTo(model.expireLocks(now));
            } else if (op < 92) {
                boolean closedSession = random.nextBoolean();
                assertThat(rings.releaseMember(member, closedSession)).as(where).isEqualTo(model.releaseMember(member, closedSession));
            } else if (op < 95) {
                long to = model.start + random.nextInt(100);
                highWatermark = Math.max(highWatermark, to);
                rings.advanceStartTo(to);
                model.advanceStartTo(to);
            } else {
                assertThat(rings.nextLockDeadline()).as(where).isEqualTo(model.nextLockDeadline());
            }
            assertThat(rings.startOffset()).as(where).isEqualTo(model.start);
            assertThat(rings.endOffset()).as(where).isEqualTo(model.end);
            assertThat(rings.inFlightCount()).as(where).isEqualTo(model.records.size());
            for (String m : MEMBERS) {
                assertThat(rings.holds(m, now)).as(where + " holds " + m).isEqualTo(model.holds(m, now));
            }
            assertThat(rings.snapshot()).as(where).isEqualTo(model.snapshot());
            assertThat(rings.hasAcquirable(highWatermark, now)).as(where).isEqualTo(model.hasAcquirable(highWatermark, now));
            long probe = model.start + random.nextInt(Math.max(1, (int) (model.end - model.start) + 2)) - 1;
            assertThat(rings.stateOf(probe)).as(where + " offset " + probe).isEqualTo(model.stateOf(probe));
        }
        // and a state restored from the last snapshot is the same state
        SharePartitionState restored = SharePartitionState.restore(rings.snapshot(), LIMIT, maxInFlight);
        assertThat(restored.snapshot()).isEqualTo(rings.snapshot());
    }

    /** The rules of {@link SharePartitionState}, an entry per in-flight offset. */
    private static final class Model {
        final int maxInFlight;
        final TreeMap<Long, Rec> records = new TreeMap<>();
        long start;
        long end;

        Model(int maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        static final class Rec {
            DeliveryState state = DeliveryState.AVAILABLE;
            int count;
            String member;
            long deadline;
        }

        List<AcquiredRange> acquire(String member, int max, long hw, long lock, long now) {
            expireLocks(now);
            List<AcquiredRange> out = new ArrayList<>();
            int taken = 0;
            for (Map.Entry<Long, Rec> e : records.entrySet()) {
                if (taken >= max || e.getKey() >= hw) {
                    break;
                }
                if (e.getValue().state == DeliveryState.AVAILABLE) {
                    take(e.getValue(), member, lock, now, out, e.getKey());
                    taken++;
                }
            }
            while (taken < max && end < hw && end - start < maxInFlight) {
                Rec r = new Rec();
                records.put(end, r);
                take(r, member, lock, now, out, end);
                taken++;
                end++;
            }
            return out;
        }

        private static void take(Rec r, String member, long lock, long now, List<AcquiredRange> out, long offset) {
            r.state = DeliveryState.ACQUIRED;
            r.count++;
            r.member = member;
            r.deadline = now + lock;
            AcquiredRange last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.last() + 1 == offset && last.deliveryCount() == r.count) {
                out.set(out.size() - 1, new AcquiredRange(last.first(), offset, r.count));
            } else {
                out.add(new AcquiredRange(offset, offset, r.count));
            }
        }

        /** The runs of offsets {@code member} holds. */
        List<long[]> held(String member) {
            List<long[]> runs = new ArrayList<>();
            for (Map.Entry<Long, Rec> e : records.entrySet()) {
                if (e.getValue().state == DeliveryState.ACQUIRED && member.equals(e.getValue().member)) {
                    long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                    if (last != null && last[1] + 1 == e.getKey()) {
                        last[1] = e.getKey();
                    } else {
                        runs.add(new long[] {e.getKey(), e.getKey()});
                    }
                }
            }
            return runs;
        }

        SharePartitionState.AckResult acknowledge(String member, long first, long last, AckType type, long lock, long now) {
            for (long o = first; o <= last; o++) {
                Rec r = records.get(o);
                if (r == null || r.state != DeliveryState.ACQUIRED || !member.equals(r.member)) {
                    return SharePartitionState.AckResult.INVALID_RECORD_STATE;
                }
            }
            for (long o = first; o <= last; o++) {
                Rec r = records.get(o);
                switch (type) {
                    case ACCEPT, GAP -> done(r, DeliveryState.ACKNOWLEDGED);
                    case REJECT -> done(r, DeliveryState.ARCHIVED);
                    case RELEASE -> release(r);
                    case RENEW -> r.deadline = now + lock;
                    default -> throw new IllegalArgumentException(type.toString());
                }
            }
            advance();
            return SharePartitionState.AckResult.OK;
        }

        private static void done(Rec r, DeliveryState state) {
            r.state = state;
            r.member = null;
        }

        private static void release(Rec r) {
            done(r, r.count >= LIMIT ? DeliveryState.ARCHIVED : DeliveryState.AVAILABLE);
        }

        int expireLocks(long now) {
            int n = 0;
            for (Rec r : records.values()) {
                if (r.state == DeliveryState.ACQUIRED && r.deadline <= now) {
                    release(r);
                    n++;
                }
            }
            advance();
            return n;
        }

        int releaseMember(String member, boolean closedSession) {
            int n = 0;
            for (Rec r : records.values()) {
                if (r.state == DeliveryState.ACQUIRED && member.equals(r.member)) {
                    if (closedSession) {
                        r.count = Math.max(0, r.count - 1);
                        done(r, DeliveryState.AVAILABLE);
                    } else {
                        release(r);
                    }
                    n++;
                }
            }
            advance();
            return n;
        }

        void advanceStartTo(long offset) {
            if (offset <= start) {
                return;
            }
            records.headMap(offset).clear();
            start = offset;
            end = Math.max(end, offset);
            advance();
        }

        long nextLockDeadline() {
            return records.values().stream().filter(r -> r.state == DeliveryState.ACQUIRED).mapToLong(r -> r.deadline).min()
                    .orElse(Long.MAX_VALUE);
        }

        boolean holds(String member, long now) {
            return records.values().stream().anyMatch(r -> r.state == DeliveryState.ACQUIRED && member.equals(r.member) && r.deadline > now);
        }

        boolean hasAcquirable(long hw, long now) {
            expireLocks(now);
            return end < hw && end - start < maxInFlight
                    || records.headMap(hw).values().stream().anyMatch(r -> r.state == DeliveryState.AVAILABLE);
        }

        DeliveryState stateOf(long offset) {
            if (offset < start) {
                return DeliveryState.ACKNOWLEDGED;
            }
            Rec r = records.get(offset);
            return r == null ? null : r.state;
        }

        private void advance() {
            while (!records.isEmpty() && (records.firstEntry().getValue().state == DeliveryState.ACKNOWLEDGED
                    || records.firstEntry().getValue().state == DeliveryState.ARCHIVED)) {
                start = records.pollFirstEntry().getKey() + 1;
            }
            if (records.isEmpty()) {
                start = Math.max(start, end);
            }
        }

        ShareSnapshot snapshot() {
            List<StateBatch> batches = new ArrayList<>();
            for (Map.Entry<Long, Rec> e : records.entrySet()) {
                DeliveryState s = e.getValue().state == DeliveryState.ACQUIRED ? DeliveryState.AVAILABLE : e.getValue().state;
                StateBatch last = batches.isEmpty() ? null : batches.get(batches.size() - 1);
                if (last != null && last.state() == s && last.deliveryCount() == e.getValue().count) {
                    batches.set(batches.size() - 1, new StateBatch(last.first(), e.getKey(), s, last.deliveryCount()));
                } else {
                    batches.add(new StateBatch(e.getKey(), e.getKey(), s, e.getValue().count));
                }
            }
            return new ShareSnapshot(0, start, batches, List.of());
        }
    }
}
