package io.weir.broker.api;

import io.weir.broker.common.NamedThreadFactory;
import io.weir.broker.network.RequestContext;
import io.weir.broker.network.RequestProcessor;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's APIs: one {@link ApiHandler} per key in an {@link EnumMap}, run on a pool of
 * {@code num.io.threads} request handler threads so that event loops never block. ApiVersions
 * advertises exactly the keys and versions registered here. Every request is first authorized by
 * {@link RequestAuthorization} (refused whole, or passed on and its answer amended), so handlers
 * themselves know nothing of ACLs.
 *
 * <p>Thread-safe. Lifecycle: started at construction; {@link #close()} stops the handler threads.
 */
public final class KafkaApis implements RequestProcessor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaApis.class);

    private final Map<ApiKeys, ApiHandler<? extends AbstractRequest>> handlers = new EnumMap<>(ApiKeys.class);
    private final ExecutorService requestThreads;
    private final ShareSupport share;
    private final RequestAuthorization authorization;
    private final io.weir.broker.replication.ReplicaManager replicas;
    private final FetchSessions fetchSessions;
    /** Null when client quotas are not served. */
    private final ClientThrottles throttles;
    /**
     * Throttles of requests without an answer (acks=0 produce) by connection, until the network layer asks
     * ({@link #muteMs}): a connection has one request in process at a time.
     */
    private final Map<Long, Integer> unansweredThrottles = new java.util.concurrent.ConcurrentHashMap<>();
    /** Requests wait until the broker has loaded its partitions, so none is answered from a half-built state. */
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    public KafkaApis(BrokerServices services, int ioThreads, io.weir.broker.txn.LocalMarkerWriter markers) {
        this(services, ioThreads, markers, io.weir.broker.auth.AclAuthorizer.disabled(), null);
    }

    /**
     * @param authorizer decides every request ({@link io.weir.broker.auth.AclAuthorizer#disabled()}: all allowed)
     * @param acls       the ACLs in ZooKeeper, for the ACL APIs; null without an authorizer
     */
    public KafkaApis(BrokerServices services, int ioThreads, io.weir.broker.txn.LocalMarkerWriter markers,
                     io.weir.broker.auth.AclAuthorizer authorizer, io.weir.broker.zk.AclStore acls) {
        this(services, ioThreads, markers, authorizer, acls, null);
    }

    /** @param scram SCRAM credentials (AlterUserScramCredentials, DescribeUserScramCredentials); null: not served */
    public KafkaApis(BrokerServices services, int ioThreads, io.weir.broker.txn.LocalMarkerWriter markers,
                     io.weir.broker.auth.AclAuthorizer authorizer, io.weir.broker.zk.AclStore acls,
                     io.weir.broker.auth.ScramCredentialStore scram) {
        this(services, ioThreads, markers, authorizer, acls, scram, null);
    }

    /**
     * @param quotas client quotas (DescribeClientQuotas, AlterClientQuotas, byte-rate throttling of produce and
     *               fetch); null: not served, nothing throttled
     */
    public KafkaApis(BrokerServices services, int ioThreads, io.weir.broker.txn.LocalMarkerWriter markers,
                     io.weir.broker.auth.AclAuthorizer authorizer, io.weir.broker.zk.AclStore acls,
                     io.weir.broker.auth.ScramCredentialStore scram, io.weir.broker.quota.ClientQuotas quotas) {
        Access access = new Access(authorizer, services);
        this.authorization = new RequestAuthorization(access);
        this.replicas = services.replicas();
        this.fetchSessions = FetchSessions.fromProperties(services.brokerProperties(), services.time());
        TopicLifecycle lifecycle = new TopicLifecycle(services);
        GroupSupport groups = new GroupSupport(services, lifecycle);
        TxnSupport txns = new TxnSupport(services, lifecycle);
        this.share = new ShareSupport(services, lifecycle, groups);
        List<ApiHandler<? extends AbstractRequest>> all = List.of(
                new ApiVersionsHandler(this),
                new MetadataHandler(services, lifecycle),
                new ProduceHandler(services, lifecycle),
                new FetchHandler(services, fetchSessions, access),
                new ListOffsetsHandler(services),
                new OffsetsForLeaderEpochHandler(services),
                new DeleteRecordsHandler(services),
                new CreateTopicsHandler(services, lifecycle),
                new DeleteTopicsHandler(services, lifecycle),
                new CreatePartitionsHandler(services, lifecycle),
                new AlterPartitionReassignmentsHandler(services),
                new ListPartitionReassignmentsHandler(services),
                new ElectLeadersHandler(services),
                new DescribeConfigsHandler(services),
                new IncrementalAlterConfigsHandler(services),
                new DescribeLogDirsHandler(services),
                new InitProducerIdHandler(services),
                new DescribeClusterHandler(services),
                new FindCoordinatorHandler(services, groups, txns),
                new JoinGroupHandler(groups, share),
                new SyncGroupHandler(groups),
                new HeartbeatHandler(groups),
                new LeaveGroupHandler(groups),
                new OffsetCommitHandler(services, groups),
                new OffsetFetchHandler(services, groups),
                new ListGroupsHandler(groups, share),
                new DescribeGroupsHandler(groups),
                new DeleteGroupsHandler(groups, share),
                new OffsetDeleteHandler(groups),
                new ShareGroupHeartbeatHandler(share),
                new ShareGroupDescribeHandler(share),
                new ShareFetchHandler(share),
                new ShareAcknowledgeHandler(share),
                new ReadShareGroupStateHandler(share),
                new WriteShareGroupStateHandler(share),
                new DescribeShareGroupOffsetsHandler(share),
                new AlterShareGroupOffsetsHandler(share),
                new DeleteShareGroupOffsetsHandler(share),
                // transactions
                new AddPartitionsToTxnHandler(services),
                new AddOffsetsToTxnHandler(services, groups),
                new TxnOffsetCommitHandler(services, groups),
                new EndTxnHandler(services),
                new WriteTxnMarkersHandler(markers),
                new ListTransactionsHandler(services),
                new DescribeTransactionsHandler(services),
                new DescribeProducersHandler(services),
                // ACLs
                new CreateAclsHandler(access, acls),
                new DescribeAclsHandler(access, acls),
                new DeleteAclsHandler(access, acls));
        for (ApiHandler<? extends AbstractRequest> h : all) {
            handlers.put(h.apiKey(), h);
        }
        // security: SASL keys (answered by the network layer on SASL listeners) and SCRAM user management
        handlers.put(ApiKeys.SASL_HANDSHAKE, new SaslOnPlainListenerHandlers.Handshake());
        handlers.put(ApiKeys.SASL_AUTHENTICATE, new SaslOnPlainListenerHandlers.Authenticate());
        if (scram != null) {
            handlers.put(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, new AlterUserScramCredentialsHandler(scram));
            handlers.put(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, new DescribeUserScramCredentialsHandler(scram));
        }
        if (quotas != null) {
            handlers.put(ApiKeys.DESCRIBE_CLIENT_QUOTAS, new DescribeClientQuotasHandler(quotas));
            handlers.put(ApiKeys.ALTER_CLIENT_QUOTAS, new AlterClientQuotasHandler(quotas));
            this.throttles = new ClientThrottles(
                    io.weir.broker.quota.ClientQuotaManager.fromProperties(quotas, io.weir.broker.quota.QuotaKeys.PRODUCER_BYTE_RATE,
                            services.time(), services.brokerProperties()),
                    io.weir.broker.quota.ClientQuotaManager.fromProperties(quotas, io.weir.broker.quota.QuotaKeys.CONSUMER_BYTE_RATE,
                            services.time(), services.brokerProperties()));
        } else {
            this.throttles = null;
        }
        this.requestThreads = new ThreadPoolExecutor(ioThreads, ioThreads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), new NamedThreadFactory("weir-request-handler", true));
    }

    /** Every request with its handling time, at TRACE (as Kafka's request logger). */
    private static final org.slf4j.Logger REQUEST_LOG = org.slf4j.LoggerFactory.getLogger("io.weir.broker.api.RequestLog");

    @Override
    public boolean supports(ApiKeys apiKey, short version) {
        ApiHandler<?> h = handlers.get(apiKey);
        return h != null && version >= h.minVersion() && version <= h.maxVersion();
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<AbstractResponse> process(RequestContext request) {
        ApiHandler<AbstractRequest> handler = (ApiHandler<AbstractRequest>) handlers.get(request.header().apiKey());
        CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
        Handling handling = new Handling(() -> handle(handler, request, response), response);
        java.util.ArrayDeque<Handling> here = CONTINUATIONS.get();
        if (here != null && ready.isDone()) {
            here.add(handling); // the connection's next request, handed over by its previous one's answer on this thread
            return response;
        }
        ready.thenRunAsync(() -> runOnRequestThread(handling), requestThreads)
                .whenComplete((v, e) -> {
                    if (e != null) {
                        response.completeExceptionally(e); // not run (handler threads stopped): answered with the error
                    }
                });
        return response;
    }

    /** A request to handle and the future its answer completes. */
    private record Handling(Runnable run, CompletableFuture<AbstractResponse> response) {
    }

    /**
     * Set while a request thread handles requests: where the network layer's hand-over of a connection's next request
     * lands when the previous one was answered on this thread (see {@link #process}).
     */
    private static final ThreadLocal<java.util.ArrayDeque<Handling>> CONTINUATIONS = new ThreadLocal<>();
    /** Requests one task handles one after another before it lets the next ones queue behind other connections'. */
    private static final int MAX_CONTINUATIONS = 16;

    /**
     * Handles {@code first}, then the requests of the same connection handed over meanwhile (pipelined requests follow
     * one another on this thread instead of going back through the event loop and to another request thread).
     */
    private void runOnRequestThread(Handling first) {
        java.util.ArrayDeque<Handling> here = new java.util.ArrayDeque<>();
        CONTINUATIONS.set(here);
        try {
            runOne(first);
            int handled = 1;
            Handling next;
            while ((next = here.poll()) != null) {
                if (handled++ < MAX_CONTINUATIONS) {
                    runOne(next);
                    continue;
                }
                Handling later = next;
                try {
                    requestThreads.execute(() -> runOnRequestThread(later));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    later.response().completeExceptionally(e);
                }
            }
        } finally {
            CONTINUATIONS.remove();
        }
    }

    private void runOne(Handling h) {
        try {
            // the fetches a produce can answer are completed after the produce's own answer went to the network
            if (replicas == null) {
                h.run().run();
            } else {
                replicas.wakingFetchersAfter(h.run());
            }
        } catch (RuntimeException e) {
            log.error("Handling a request failed", e);
            h.response().completeExceptionally(e);
        }
    }

    /**
     * ApiVersions, once the broker answers requests: its answer is fixed, it needs no authorization (a client asks it
     * before authenticating) and no quota applies to it.
     */
    @Override
    public AbstractResponse answerAtOnce(RequestContext request) {
        if (request.header().apiKey() != ApiKeys.API_VERSIONS || !ready.isDone()) {
            return null;
        }
        @SuppressWarnings("unchecked")
        ApiHandler<AbstractRequest> handler = (ApiHandler<AbstractRequest>) handlers.get(ApiKeys.API_VERSIONS);
        CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
        handle(handler, request, response);
        return response.getNow(null); // the handler answers synchronously; null (never so) falls back to a request thread
    }

    /** Authorizes the request, then lets its handler answer (amended by authorization where it says so). */
    private void handle(ApiHandler<AbstractRequest> handler, RequestContext request, CompletableFuture<AbstractResponse> response) {
        try {
            Verdict verdict = authorization.check(request);
            if (verdict instanceof Verdict.Refuse refuse) {
                response.complete(refuse.response());
                return;
            }
            var amend = ((Verdict.Proceed) verdict).amend();
            long started = REQUEST_LOG.isTraceEnabled() ? System.nanoTime() : 0;
            handler.handle(request, request.request()).whenComplete((r, e) -> {
                if (started != 0) {
                    REQUEST_LOG.trace("{} v{} correlation {} from {} (connection {}): answered in {} µs{}", request.header().apiKey(),
                            request.header().apiVersion(), request.header().correlationId(), request.header().clientId(),
                            request.connectionId(), (System.nanoTime() - started) / 1000, e == null ? "" : ", failed: " + e);
                }
                if (e != null) {
                    response.completeExceptionally(e);
                } else {
                    try {
                        AbstractResponse answer = r == null ? null : amend.apply(r);
                        if (throttles != null) {
                            int throttleMs = throttles.apply(request, answer);
                            if (answer == null && throttleMs > 0) {
                                unansweredThrottles.put(request.connectionId(), throttleMs);
                            }
                        }
                        response.complete(answer);
                    } catch (RuntimeException failed) {
                        response.completeExceptionally(failed); // never the unamended answer: it may show what is not allowed
                    }
                }
            });
        } catch (RuntimeException e) {
            response.completeExceptionally(e);
        }
    }

    /**
     * A produce or fetch answer carries a throttle time only when its client is over its byte rate; an
     * acks=0 produce over it has its throttle kept here until asked.
     */
    @Override
    public int muteMs(RequestContext request, AbstractResponse response) {
        if (response == null) {
            Integer throttleMs = unansweredThrottles.remove(request.connectionId());
            return throttleMs == null ? 0 : throttleMs;
        }
        ApiKeys key = request.header().apiKey();
        return throttles != null && (key == ApiKeys.PRODUCE || key == ApiKeys.FETCH) ? response.throttleTimeMs() : 0;
    }

    /** A closed connection ends the share sessions it opened and releases their records at once. */
    @Override
    public void connectionClosed(long connectionId) {
        unansweredThrottles.remove(connectionId);
        try {
            requestThreads.execute(() -> ShareConnections.closed(share, connectionId)); // may write: not on the event loop
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: nothing to release for
        }
    }

    /** The incremental fetch sessions of this broker's Fetch API (their counts, for monitoring and tests). */
    public FetchSessionCache fetchSessions() {
        return fetchSessions.cache();
    }

    /** Starts answering requests (those that arrived earlier are answered now). */
    public void markReady() {
        ready.complete(null);
    }

    /** ApiVersions listing every registered handler's version range. */
    ApiVersionsResponse apiVersionsResponse(Errors error) {
        ApiVersionCollection keys = new ApiVersionCollection();
        handlers.values().forEach(h -> keys.add(new ApiVersion().setApiKey(h.apiKey().id)
                .setMinVersion(h.minVersion()).setMaxVersion(h.maxVersion())));
        // Weir's own capability: ShareAcknowledge's transactional tag (clients check it before sending the tag)
        ApiVersionsResponseData.SupportedFeatureKeyCollection features = new ApiVersionsResponseData.SupportedFeatureKeyCollection();
        features.add(new ApiVersionsResponseData.SupportedFeatureKey().setName(io.weir.broker.share.TxnAck.FEATURE)
                .setMinVersion((short) 1).setMaxVersion((short) 1));
        // and the JMS queue groups' defaults (ShareGroupSettings): the provider need not write them
        features.add(new ApiVersionsResponseData.SupportedFeatureKey().setName(io.weir.broker.share.ShareGroupSettings.QUEUE_DEFAULTS_FEATURE)
                .setMinVersion((short) 1).setMaxVersion((short) 1));
        return new ApiVersionsResponse(new ApiVersionsResponseData().setErrorCode(error.code()).setApiKeys(keys)
                .setSupportedFeatures(features));
    }

    @Override
    public AbstractResponse unsupportedApiVersionsResponse(RequestContext request) {
        log.info("Client {} at {} sent ApiVersions v{}, newer than this broker knows; answering with v0",
                request.header().clientId(), request.clientAddress(), request.header().apiVersion());
        return apiVersionsResponse(Errors.UNSUPPORTED_VERSION);
    }

    @Override
    public void close() {
        requestThreads.shutdown();
        try {
            if (!requestThreads.awaitTermination(10, TimeUnit.SECONDS)) {
                requestThreads.shutdownNow();
            }
        } catch (InterruptedException e) {
            requestThreads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
