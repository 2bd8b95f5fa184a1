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
 * {@code offset:count} delivery counts; then optionally {@code ;s=} and the subscription's signature. Anything else (metadata written by another client) is ignored. The
 * string is kept under {@link #MAX_METADATA} characters (Kafka's default limit is 4096): past that, delivery
 * counts and then the highest consumed offsets are left out, which can only cause a redelivery, never a loss.
 *
 * <p>Not thread-safe: its consumer engine guards it.
 */
public final class PartitionProgress {

    static final String PREFIX = "weir1:";
    static final int MAX_METADATA = 3000;

    private long base;
    private final TreeSet<Long> above = new TreeSet<>();
    private final java.util.TreeMap<Long, Integer> deliveries = new java.util.TreeMap<>();
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
        return deliveries.merge(offset, 1, Integer::sum);
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
        if (sb.length() + sig.length() > MAX_METADATA) {
            int cut = sb.lastIndexOf(",", MAX_METADATA - sig.length());
            sb.setLength(Math.max(PREFIX.length(), cut));
            return sb.append(sig).toString();
        }
        if (!deliveries.isEmpty()) {
            sb.append(";d=");
            boolean firstD = true;
            for (java.util.Map.Entry<Long, Integer> e : deliveries.entrySet()) {
                String item = e.getKey() + ":" + e.getValue();
                if (sb.length() + item.length() + 1 + sig.length() > MAX_METADATA) {
                    break;
                }
                if (!firstD) {
                    sb.append(',');
                }
                sb.append(item);
                firstD = false;
            }
        }
        return sb.append(sig).toString();
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
