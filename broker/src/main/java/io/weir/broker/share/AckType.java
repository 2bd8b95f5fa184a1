package io.weir.broker.share;

/**
 * The acknowledgement types of ShareFetch and ShareAcknowledge ({@code AcknowledgeTypes}):
 * 0 gap (no record at that offset), 1 accept, 2 release, 3 reject, 4 renew (extend the lock, v2).
 */
public enum AckType {
    GAP, ACCEPT, RELEASE, REJECT, RENEW;

    /** The type of a wire code, or null when the code is unknown. */
    public static AckType of(byte code) {
        return code >= 0 && code < values().length ? values()[code] : null;
    }
}
