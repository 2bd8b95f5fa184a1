package io.weir.samples.requestreply;

import io.weir.samples.SampleBroker;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RequestReplyTest {

    @Test
    void everyQuestionGetsItsOwnAnswer() {
        try (SampleBroker broker = SampleBroker.embedded()) {
            assertThat(RequestReply.run(broker.bootstrapServers(), List.of("pear", "mango", "apple")))
                    .containsExactly("price of pear: 0.55", "price of mango: not sold here", "price of apple: 0.40");
        }
    }
}
