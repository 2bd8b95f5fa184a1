package io.weir.jms.xa;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XidNamesTest {

    private final XidNames names = new XidNames("orders-node1");

    @Test
    void anXidBecomesAReadableTransactionalIdAndBack() {
        XidKey xid = new XidKey(0x20001, new byte[]{10, 11, 12}, new byte[]{1});
        String id = names.transactionalId(xid);
        assertThat(id).isEqualTo("orders-node1-00020001-0a0b0c-01");
        assertThat(names.xid(id)).contains(xid);
    }

    @Test
    void extremesRoundTrip() {
        byte[] max = new byte[64];
        Arrays.fill(max, (byte) 0xff);
        for (XidKey xid : new XidKey[]{
                new XidKey(0, new byte[]{0}, new byte[0]),
                new XidKey(-2, max, max),
                new XidKey(Integer.MIN_VALUE, new byte[]{(byte) 0x80, 0}, new byte[]{0, 0}),
                new XidKey(Integer.MAX_VALUE, max, new byte[]{-1})}) {
            String id = names.transactionalId(xid);
            assertThat(names.xid(id)).as(id).contains(xid);
        }
        assertThat(names.transactionalId(new XidKey(1, max, max))).hasSize("orders-node1-".length() + 8 + 1 + 128 + 1 + 128);
        assertThat(names.transactionalId(new XidKey(1, new byte[]{1}, new byte[0]))).endsWith("-00000001-01-");
    }

    @Test
    void namesOfOtherResourcesAndOtherIdsAreNotXids() {
        assertThat(names.xid("orders-node2-00000001-0a-01")).isEmpty();
        assertThat(names.xid("orders-node1")).isEmpty();
        assertThat(names.xid("orders-node1-0")).isEmpty();
        assertThat(names.xid("orders-node1-00000001-0a")).isEmpty(); // two parts
        assertThat(names.xid("orders-node1-00000001-0a-01-02")).isEmpty(); // four parts
        assertThat(names.xid("orders-node1-0000001-0a-01")).isEmpty(); // format id of 7 digits
        assertThat(names.xid("orders-node1-00000001-0A-01")).isEmpty(); // upper case
        assertThat(names.xid("orders-node1-00000001-0a0-01")).isEmpty(); // odd length
        assertThat(names.xid("orders-node1-00000001--01")).isEmpty(); // empty gtrid
        assertThat(names.xid("orders-node1-00000001-" + "ab".repeat(65) + "-01")).isEmpty(); // gtrid too long
        assertThat(names.xid("weir-jms-abc-0")).isEmpty(); // a transacted session's id
        assertThat(names.xid(null)).isEmpty();
        // a resource id that is a prefix of another does not claim its names
        assertThat(new XidNames("orders").xid("orders-node1-00000001-0a-01")).isEmpty();
    }

    @Test
    void badXidsAndResourceIdsAreRefused() {
        assertThatThrownBy(() -> new XidKey(1, new byte[0], new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new XidKey(1, new byte[65], new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new XidKey(1, new byte[1], new byte[65])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new XidKey(-1, new byte[1], new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new XidNames(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> XidKey.of(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void xidsCompareByValue() {
        XidKey a = new XidKey(7, new byte[]{1, 2}, new byte[]{3});
        javax.transaction.xa.Xid foreign = new javax.transaction.xa.Xid() {
            public int getFormatId() { return 7; }
            public byte[] getGlobalTransactionId() { return new byte[]{1, 2}; }
            public byte[] getBranchQualifier() { return new byte[]{3}; }
        };
        assertThat(XidKey.of(foreign)).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(a).isNotEqualTo(new XidKey(7, new byte[]{1, 2}, new byte[]{4}));
    }
}
