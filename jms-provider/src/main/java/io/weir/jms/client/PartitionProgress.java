package io.weir.jms.client;

import java.util.Iterator;
import java.util.TreeSet;

/**
 * What a queue (or subscription) has consumed of one partition: every offset below {@link #base()}, plus the
 * individually consumed offsets above it. The base is what is committed as the group's offset; the offsets
 * above it travel in the commit's metadata string (see {@link #encodeAbove()}), so a message that a selector
 * consumer skipped, or a delayed message not yet due, stays on the queue for the next consumer while later
 * messages are acknowledged.
 *
 * <p>It also counts deliveries of offsets not yet consumed, so that a message delivered and not acknowledged
 * is flagged {@code JMSRedelivered} with its {@code JMSXDeliveryCount} even when the next delivery is by
 * another consumer, in another process.
 *
 * <p>Metadata format: {@code weir1:} then the consumed offsets above the base as comma-separated offsets and
 * inclusive ranges {@code a-b}, ascending; then optionally {@code ;d=} and comma-separated
 * {@code offset:count} delivery counts, ascending; then optionally {@code ;h=} and an offset: every offset up to it
 * that is neither consumed nor listed in {@code d=} may have been delivered once (written when the counts did not
 * all fit); then optionally {@code ;s=} and the subscription's signature. Unknown sections and anything else
 * (metadata written by another client) are ignored. The string is kept under {@link #MAX_METADATA} characters
 * (Kafka's default limit is 4096): past that, the highest delivery counts give way to {@code h=}, then the
 * highest consumed offsets are left out, which can only cause a redelivery (or a redelivery flag on a message
 * not delivered before), never a loss.
 *
 * <p>When a partition is revoked or lost, its consumer engine keeps the delivery counts it knew and
 * {@link #mergeDeliveries merges} them into what the group's next commit restores if the partition comes back,
 * so a delivery never committed (the partition was lost before the next commit) is still counted.
 *
 * <p>Not thread-safe: its consumer engine guards it.
 */
public final class PartitionProgress {

    static final String PREFIX = "weir1:";
    static final int MAX_METADATA = 3000;

    private long base;
    private final TreeSet<Long> above = new TreeSet<>();
    private final java.util.TreeMap<Long, Integer> deliveries = new java.util.TreeMap<>();
    /** Offsets up to this one, not consumed and not in {@link #deliveries}, may have been delivered once; -1: none. */
    private long assumedUpTo = -1;
    private boolean dirty;
    private String signature;

    public PartitionProgress(long base) {
        this.base = base;
    }

    /** Restores the progress a commit recorded. */
    public static PartitionProgress restore(long committed, String metadata) {
        PartitionProgress p = new PartitionProgress(committed);
        if (metadata != null && metadata.startsWith(PREFIX)) {
            String[] sections = metadata.substring(PREFIX.length()).split(";", -1);
            parseRanges(p, sections[0]);
            for (int i = 1; i < sections.length; i++) {
                String section = sections[i];
                if (section.startsWith("d=")) {
                    parseDeliveries(p, section.substring(2));
                } else if (section.startsWith("h=")) {
                    try {
                        p.assumedUpTo = Long.parseLong(section.substring(2));
                    } catch (NumberFormatException e) {
                        p.assumedUpTo = -1;
                    }
                } else if (section.startsWith("s=")) {
                    p.signature = section.substring(2);
                }
            }
            p.normalize();
        }
        p.dirty = false;
        return p;
    }

    private static void parseRanges(PartitionProgress p, String body) {
        if (body.isEmpty()) {
            return;
        }
        for (String part : body.split(",")) {
            try {
                int dash = part.indexOf('-');
                if (dash < 0) {
                    p.above.add(Long.parseLong(part));
                } else {
                    long from = Long.parseLong(part.substring(0, dash));
                    long to = Long.parseLong(part.substring(dash + 1));
                    for (long o = from; o <= to && to - from < 1_000_000; o++) {
                        p.above.add(o);
                    }
                }
            } catch (NumberFormatException e) {
                return; // not ours: ignore the rest
            }
        }
    }

    private static void parseDeliveries(PartitionProgress p, String body) {
        for (String part : body.split(",")) {
            int colon = part.indexOf(':');
            if (colon > 0) {
                try {
                    p.deliveries.put(Long.parseLong(part.substring(0, colon)), Integer.parseInt(part.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    return;
                }
            }
        }
    }

    /** What the subscription was created with (selector, no-local), so a changed one starts anew; may be null. */
    public String signature() {
        return signature;
    }

    public void setSignature(String signature) {
        this.signature = signature;
        dirty = true;
    }

    public long base() {
        return base;
    }

    public boolean isConsumed(long offset) {
        return offset < base || above.contains(offset);
    }

    /** Records {@code offset} as consumed; returns true when that changed anything. */
    public boolean consume(long offset) {
        if (isConsumed(offset)) {
            return false;
        }
        if (offset == base) {
            base++;
            normalize();
        } else {
            above.add(offset);
        }
        deliveries.remove(offset);
        dirty = true;
        return true;
    }

    /** Counts one more delivery of {@code offset}; returns the count including this one. */
    public int recordDelivery(long offset) {
        dirty = true;
        Integer before = deliveries.get(offset);
        int count = before != null ? before + 1 : offset <= assumedUpTo ? 2 : 1;
        deliveries.put(offset, count);
        return count;
    }

    /** How often {@code offset} was delivered as far as this progress knows (0: never). */
    public int deliveries(long offset) {
        if (isConsumed(offset)) {
            return 0;
        }
        Integer n = deliveries.get(offset);
        return n != null ? n : offset <= assumedUpTo ? 1 : 0;
    }

    /**
     * Takes in the delivery counts {@code earlier} knew of offsets not consumed here (the partition was this
     * consumer's before, and its last deliveries may never have reached a commit): the higher count wins.
     */
    public void mergeDeliveries(PartitionProgress earlier) {
        for (java.util.Map.Entry<Long, Integer> e : earlier.deliveries.entrySet()) {
            long offset = e.getKey();
            if (!isConsumed(offset) && e.getValue() > deliveries.getOrDefault(offset, 0)) {
                deliveries.put(offset, e.getValue());
                dirty = true;
            }
        }
        if (earlier.assumedUpTo > assumedUpTo && earlier.assumedUpTo >= base) {
            assumedUpTo = earlier.assumedUpTo;
            dirty = true;
        }
    }

    /** Whether delivery counts of offsets not consumed are known (worth keeping when the partition goes). */
    public boolean hasDeliveries() {
        return !deliveries.isEmpty() || assumedUpTo >= base;
    }

    /** Moves the base forward to {@code offset} (the log start moved past it): everything below is gone. */
    public void skipTo(long offset) {
        if (offset > base) {
            base = offset;
            above.headSet(base).clear();
            deliveries.headMap(base).clear();
            normalize();
            dirty = true;
        }
    }

    private void normalize() {
        while (!above.isEmpty() && above.first() <= base) {
            long first = above.pollFirst();
            if (first == base) {
                base++;
            }
        }
        if (!deliveries.isEmpty() && deliveries.firstKey() < base) {
            deliveries.headMap(base).clear();
        }
        if (assumedUpTo < base) {
            assumedUpTo = -1;
        }
    }

    public boolean isDirty() {
        return dirty;
    }

    public void markClean() {
        dirty = false;
    }

    /** The metadata string for the offsets consumed above the base. */
    public String encodeAbove() {
        StringBuilder sb = new StringBuilder(PREFIX);
        Iterator<Long> it = above.iterator();
        boolean first = true;
        long start = -1;
        long prev = -1;
        while (it.hasNext()) {
            long o = it.next();
            if (start < 0) {
                start = o;
            } else if (o != prev + 1) {
                first = append(sb, first, start, prev);
                start = o;
            }
            prev = o;
        }
        if (start >= 0) {
            append(sb, first, start, prev);
        }
        String sig = signature == null ? "" : ";s=" + signature;
        long highest = Math.max(assumedUpTo, deliveries.isEmpty() ? -1 : deliveries.lastKey());
        // room kept for the delivered-up-to mark, which stands in for whatever counts do not fit
        int budget = MAX_METADATA - sig.length() - (highest < 0 ? 0 : (";h=" + highest).length());
        if (sb.length() > budget) {
            int cut = sb.lastIndexOf(",", budget);
            sb.setLength(Math.max(PREFIX.length(), cut));
            if (highest >= 0) {
                sb.append(";h=").append(highest);
            }
            return sb.append(sig).toString();
        }
        int mark = sb.length();
        boolean complete = appendCounts(sb, budget, 1);
        if (!complete) {
            // the mark stands for every count of one: list only the higher ones
            sb.setLength(mark);
            appendCounts(sb, budget, 2);
        }
        if (!complete || assumedUpTo >= 0) {
            sb.append(";h=").append(highest);
        }
        return sb.append(sig).toString();
    }

    /** Appends {@code ;d=} and the counts of at least {@code min} that fit under {@code budget}; true if all did. */
    private boolean appendCounts(StringBuilder sb, int budget, int min) {
        int start = sb.length();
        sb.append(";d=");
        boolean none = true;
        boolean complete = true;
        for (java.util.Map.Entry<Long, Integer> e : deliveries.entrySet()) {
            if (e.getValue() < min) {
                continue;
            }
            String item = e.getKey() + ":" + e.getValue();
            if (sb.length() + item.length() + 1 > budget) {
                complete = false;
                break;
            }
            if (!none) {
                sb.append(',');
            }
            sb.append(item);
            none = false;
        }
        if (none) {
            sb.setLength(start);
        }
        return complete;
    }

    private static boolean append(StringBuilder sb, boolean first, long from, long to) {
        if (!first) {
            sb.append(',');
        }
        sb.append(from);
        if (to != from) {
            sb.append('-').append(to);
        }
        return false;
    }

    @Override
    public String toString() {
        return "PartitionProgress(base=" + base + ", above=" + encodeAbove() + ")";
    }
}
