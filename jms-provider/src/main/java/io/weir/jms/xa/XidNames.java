package io.weir.jms.xa;

import java.util.HexFormat;
import java.util.Optional;

/**
 * The {@code transactional.id} of an XA branch, derived from its Xid so that any instance of the resource manager
 * finds a prepared branch again from the transaction coordinator alone (ListTransactions), without a log of its own:
 * <pre>
 *   &lt;resourceId&gt;-&lt;formatId: 8 hex digits, two's complement&gt;-&lt;gtrid: 2 hex digits a byte&gt;-&lt;bqual: 2 hex digits a byte&gt;
 *   e.g. weir-xa-00020001-0a0b0c-01   (bqual may be empty: weir-xa-00000001-0a-)
 * </pre>
 * Lower-case hex, so the three parts after the resource id never contain '-'; an id is decoded by taking the
 * resource id off the front and requiring exactly those three parts. Lengths: gtrid and bqual are at most 64 bytes
 * each (the XA limit), so an id is at most the resource id + 268 characters (Kafka's string limit is 32767).
 * A resource id must not itself end in {@code -<8 hex>-<hex>} (it would make another resource id's names
 * ambiguous); {@link #checkResourceId} refuses empty ones. Pure, thread-safe.
 */
public final class XidNames {

    private static final HexFormat HEX = HexFormat.of();

    private final String resourceId;
    private final String prefix;

    public XidNames(String resourceId) {
        checkResourceId(resourceId);
        this.resourceId = resourceId;
        this.prefix = resourceId + "-";
    }

    public static void checkResourceId(String resourceId) {
        if (resourceId == null || resourceId.isBlank()) {
            throw new IllegalArgumentException("An XA resource id must not be null or blank");
        }
    }

    public String resourceId() {
        return resourceId;
    }

    public String transactionalId(XidKey xid) {
        return prefix + HEX.toHexDigits(xid.getFormatId()) + "-" + HEX.formatHex(xid.getGlobalTransactionId())
                + "-" + HEX.formatHex(xid.getBranchQualifier());
    }

    /** The Xid whose branch runs on {@code transactionalId}, or empty when it is not one of this resource's names. */
    public Optional<XidKey> xid(String transactionalId) {
        if (transactionalId == null || !transactionalId.startsWith(prefix)) {
            return Optional.empty();
        }
        String[] parts = transactionalId.substring(prefix.length()).split("-", -1);
        if (parts.length != 3 || parts[0].length() != 8 || !isHex(parts[0]) || !isHex(parts[1]) || !isHex(parts[2])
                || parts[1].isEmpty() || parts[1].length() % 2 != 0 || parts[2].length() % 2 != 0
                || parts[1].length() > 128 || parts[2].length() > 128) {
            return Optional.empty();
        }
        return Optional.of(new XidKey(HEX.fromHexDigits(parts[0]), HEX.parseHex(parts[1]), HEX.parseHex(parts[2])));
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
