package io.weir.broker.network;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * A {@link RequestProcessor} that records what it is handed and answers through a replaceable
 * function (canned responses, or futures the test completes later). Supports the keys and versions
 * of {@link ProtocolSamples#IMPLEMENTED}, like {@code KafkaApis}. Runs on the test thread.
 */
final class FakeProcessor implements RequestProcessor {
    final List<RequestContext> received = new ArrayList<>();
    final List<CompletableFuture<AbstractResponse>> pending = new ArrayList<>();
    private Function<RequestContext, CompletableFuture<AbstractResponse>> answer;

    /** Answers every request at once with the sample response of its key and version. */
    static FakeProcessor answeringSamples() {
        FakeProcessor p = new FakeProcessor();
        p.answer = rc -> CompletableFuture.completedFuture(
                ProtocolSamples.response(rc.header().apiKey(), rc.header().apiVersion()));
        return p;
    }

    /** Returns futures that the test completes (see {@link #pending}). */
    static FakeProcessor answeringLater() {
        FakeProcessor p = new FakeProcessor();
        p.answer = rc -> {
            CompletableFuture<AbstractResponse> f = new CompletableFuture<>();
            p.pending.add(f);
            return f;
        };
        return p;
    }

    /** What {@link #muteMs} answers (nothing muted by default). */
    java.util.function.ToIntFunction<AbstractResponse> mute = r -> 0;

    @Override
    public int muteMs(RequestContext request, AbstractResponse response) {
        return mute.applyAsInt(response);
    }

    FakeProcessor answer(Function<RequestContext, CompletableFuture<AbstractResponse>> answer) {
        this.answer = answer;
        return this;
    }

    @Override
    public CompletableFuture<AbstractResponse> process(RequestContext request) {
        received.add(request);
        return answer.apply(request);
    }

    @Override
    public boolean supports(ApiKeys apiKey, short version) {
        return ProtocolSamples.IMPLEMENTED.contains(apiKey)
                && version >= ProtocolSamples.oldest(apiKey) && version <= ProtocolSamples.latest(apiKey);
    }

    /** What {@link #answerAtOnce} answers (nothing by default: every request goes to {@link #process}). */
    Function<RequestContext, AbstractResponse> atOnce = rc -> null;

    @Override
    public AbstractResponse answerAtOnce(RequestContext request) {
        return atOnce.apply(request);
    }

    @Override
    public AbstractResponse unsupportedApiVersionsResponse(RequestContext request) {
        return new ApiVersionsResponse(unsupportedVersionData());
    }

    static ApiVersionsResponseData unsupportedVersionData() {
        ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        for (ApiKeys key : ProtocolSamples.IMPLEMENTED) {
            data.apiKeys().add(new ApiVersion().setApiKey(key.id)
                    .setMinVersion(ProtocolSamples.oldest(key)).setMaxVersion(ProtocolSamples.latest(key)));
        }
        return data;
    }
}
