package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.zk.BrokerRegistration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;

/** DescribeCluster: cluster id, controller and live brokers (Admin.describeCluster). */
final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {
    private static final byte BROKER_ENDPOINTS = 1;

    private final BrokerServices services;

    DescribeClusterHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeClusterRequest request) {
        DescribeClusterResponseData data = new DescribeClusterResponseData()
                .setClusterId(services.metadata().clusterId())
                .setControllerId(services.metadata().controllerId())
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (context.header().apiVersion() >= 1 && request.data().endpointType() != BROKER_ENDPOINTS) {
            data.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("This broker only describes broker endpoints");
            return CompletableFuture.completedFuture(new DescribeClusterResponse(data));
        }
        if (context.header().apiVersion() >= 1) {
            data.setEndpointType(BROKER_ENDPOINTS);
        }
        for (BrokerRegistration b : services.metadata().brokers()) {
            if (!b.hasListener(context.listenerName())) {
                continue;
            }
            BrokerRegistration.Endpoint endpoint = b.endpoint(context.listenerName());
            data.brokers().add(new DescribeClusterBroker().setBrokerId(b.id()).setHost(endpoint.host()).setPort(endpoint.port())
                    .setRack(b.rack()));
        }
        return CompletableFuture.completedFuture(new DescribeClusterResponse(data));
    }
}
