package io.weir.jms.xa;

import javax.transaction.xa.Xid;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An Xid by value (format id, global transaction id, branch qualifier), usable as a map key whatever {@link Xid}
 * implementation the transaction manager hands in, and returned by {@code recover}. Immutable.
 */
public final class XidKey implements Xid {

    private final int formatId;
    private final byte[] gtrid;
    private final byte[] bqual;

    public XidKey(int formatId, byte[] gtrid, byte[] bqual) {
        if (gtrid == null || gtrid.length == 0 || gtrid.length > MAXGTRIDSIZE) {
            throw new IllegalArgumentException("A global transaction id has 1 to " + MAXGTRIDSIZE + " bytes, not "
                    + (gtrid == null ? "null" : gtrid.length));
        }
        if (bqual == null || bqual.length > MAXBQUALSIZE) {
            throw new IllegalArgumentException("A branch qualifier has 0 to " + MAXBQUALSIZE + " bytes, not "
                    + (bqual == null ? "null" : bqual.length));
        }
        if (formatId == -1) {
            throw new IllegalArgumentException("Format id -1 is the null Xid");
        }
        this.formatId = formatId;
        this.gtrid = gtrid.clone();
        this.bqual = bqual.clone();
    }

    /** A copy of {@code xid}; IllegalArgumentException for a null or malformed one. */
    public static XidKey of(Xid xid) {
        if (xid == null) {
            throw new IllegalArgumentException("The Xid must not be null");
        }
        return xid instanceof XidKey k ? k : new XidKey(xid.getFormatId(), xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    @Override
    public int getFormatId() {
        return formatId;
    }

    @Override
    public byte[] getGlobalTransactionId() {
        return gtrid.clone();
    }

    @Override
    public byte[] getBranchQualifier() {
        return bqual.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XidKey k && k.formatId == formatId && Arrays.equals(k.gtrid, gtrid) && Arrays.equals(k.bqual, bqual);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * formatId + Arrays.hashCode(gtrid)) + Arrays.hashCode(bqual);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "Xid(" + formatId + ", " + hex.formatHex(gtrid) + ", " + hex.formatHex(bqual) + ")";
    }
}
