package io.weir.jms.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionalIdsTest {

    @Test
    void slotsAreTheLowestFreeNumbersPerPrefix() {
        TransactionalIds.Lease a = TransactionalIds.acquire("ids-app");
        TransactionalIds.Lease b = TransactionalIds.acquire("ids-app");
        TransactionalIds.Lease other = TransactionalIds.acquire("ids-other");
        assertThat(a.transactionalId()).isEqualTo("ids-app-0");
        assertThat(b.transactionalId()).isEqualTo("ids-app-1");
        assertThat(other.transactionalId()).isEqualTo("ids-other-0");
        a.close();
        a.close(); // idempotent: does not free a slot someone else took meanwhile
        TransactionalIds.Lease c = TransactionalIds.acquire("ids-app");
        assertThat(c.slot()).isZero();
        TransactionalIds.Lease d = TransactionalIds.acquire("ids-app");
        assertThat(d.slot()).isEqualTo(2);
        b.close();
        c.close();
        d.close();
        other.close();
    }

    @Test
    void anEmptyPrefixIsRefused() {
        assertThatThrownBy(() -> TransactionalIds.acquire("")).isInstanceOf(IllegalArgumentException.class);
    }
}
