package io.weir.broker.network;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers leave a connection in request order whichever thread produced them: one given at decoding (ApiVersions)
 * waits for the answers of the requests before it, and a request answered off the event loop hands the connection's
 * next request to the processor from the answering thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaConnectionOrderTest {

    private static byte[] frame(ApiKeys key, int correlationId) {
        short v = ProtocolSamples.latest(key);
        return EmbeddedConnection.frame(new RequestHeader(key, v, "order-test", correlationId), ProtocolSamples.request(key, v));
    }

    private static byte[] concat(byte[]... frames) {
        ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(frames).mapToInt(f -> f.length).sum());
        for (byte[] f : frames) {
            b.put(f);
        }
        return b.array();
    }

    @Test
    void anAnswerGivenAtDecodingWaitsForTheAnswersBeforeIt() {
        FakeProcessor processor = FakeProcessor.answeringLater();
        processor.atOnce = rc -> rc.header().apiKey() == ApiKeys.API_VERSIONS
                ? ProtocolSamples.response(ApiKeys.API_VERSIONS, rc.header().apiVersion()) : null;
        EmbeddedConnection c = new EmbeddedConnection(processor);
        c.write(concat(frame(ApiKeys.METADATA, 1), frame(ApiKeys.API_VERSIONS, 2), frame(ApiKeys.METADATA, 3)));
        assertThat(processor.received).extracting(rc -> rc.header().correlationId()).containsExactly(1);
        assertThat((Object) c.channel.readOutbound()).as("nothing before the first answer").isNull();

        processor.pending.get(0).complete(ProtocolSamples.response(ApiKeys.METADATA, ProtocolSamples.latest(ApiKeys.METADATA)));
        c.channel.runPendingTasks();
        assertThat(processor.received).extracting(rc -> rc.header().correlationId()).containsExactly(1, 3);
        processor.pending.get(1).complete(ProtocolSamples.response(ApiKeys.METADATA, ProtocolSamples.latest(ApiKeys.METADATA)));
        c.channel.runPendingTasks();
        List<Integer> answered = new ArrayList<>();
        Object out;
        while ((out = c.channel.readOutbound()) != null) {
            io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) out;
            buf.readInt(); // size
            answered.add(buf.readInt());
            buf.release();
        }
        assertThat(answered).containsExactly(1, 2, 3);
    }

    @Test
    void aRequestAnsweredOffTheEventLoopHandsTheNextOneOverFromTheAnsweringThread() throws Exception {
        ExecutorService answering = Executors.newSingleThreadExecutor(r -> new Thread(r, "answering"));
        List<String> processedOn = new CopyOnWriteArrayList<>();
        FakeProcessor processor = FakeProcessor.answeringLater().answer(rc -> {
            processedOn.add(Thread.currentThread().getName());
            return CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(50); // by then the event loop has read the three frames (sent in one write)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ProtocolSamples.response(rc.header().apiKey(), rc.header().apiVersion());
            }, answering);
        });
        SocketServer server = new SocketServer("127.0.0.1", 0, 1 << 20, 60_000, 1, processor);
        try {
            server.start();
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                out.write(concat(frame(ApiKeys.METADATA, 1), frame(ApiKeys.METADATA, 2), frame(ApiKeys.METADATA, 3)));
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                List<Integer> answered = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    byte[] body = new byte[in.readInt()];
                    in.readFully(body);
                    answered.add(ByteBuffer.wrap(body).getInt());
                }
                assertThat(answered).containsExactly(1, 2, 3);
            }
            assertThat(processedOn).hasSize(3);
            assertThat(processedOn.get(0)).startsWith("weir-network");
            assertThat(processedOn.subList(1, 3)).as("handed over by the answering thread, not after a detour through the "
                    + "event loop").containsExactly("answering", "answering");
        } finally {
            server.close();
            answering.shutdownNow();
        }
    }
}
