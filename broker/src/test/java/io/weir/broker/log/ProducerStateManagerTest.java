package io.weir.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class ProducerStateManagerTest {
    private final ProducerStateManager state = new ProducerStateManager();

    @Test
    void newProducersAreAcceptedAtAnySequence() {
        assertThat(state.check(7, (short) 0, 0, 4, "p")).isNull();
        assertThat(state.check(8, (short) 0, 42, 50, "p")).isNull();
    }

    @Test
    void consecutiveBatchesPassAndGapsAreOutOfOrder() {
        state.update(7, (short) 0, 0, 4, 100, 104);
        assertThat(state.check(7, (short) 0, 5, 9, "p")).isNull();
        assertThatThrownBy(() -> state.check(7, (short) 0, 6, 9, "p")).isInstanceOf(OutOfOrderSequenceException.class)
                .hasMessageContaining("expected 5");
    }

    @Test
    void anyOfTheLastFiveBatchesIsADuplicateWithItsOriginalOffsets() {
        for (int i = 0; i < 7; i++) {
            state.update(7, (short) 0, i * 10, i * 10 + 9, 1000 + i * 10, 1009 + i * 10);
        }
        assertThat(state.check(7, (short) 0, 60, 69, "p")).isEqualTo(new ProducerStateManager.BatchMetadata(60, 69, 1060, 1069));
        assertThat(state.check(7, (short) 0, 20, 29, "p")).isNotNull();
        // older than the five cached batches: no longer recognisable, and not the next sequence either
        assertThatThrownBy(() -> state.check(7, (short) 0, 10, 19, "p")).isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void epochsFenceAndRestartSequences() {
        state.update(7, (short) 3, 0, 0, 0, 0);
        assertThatThrownBy(() -> state.check(7, (short) 2, 1, 1, "p")).isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> state.check(7, (short) 4, 5, 5, "p")).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(state.check(7, (short) 4, 0, 0, "p")).isNull();
    }

    @Test
    void sequencesWrapAround() {
        assertThat(ProducerStateManager.incrementSequence(Integer.MAX_VALUE, 1)).isZero();
        state.update(7, (short) 0, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0, 1);
        assertThat(state.check(7, (short) 0, 0, 3, "p")).isNull();
    }
}
