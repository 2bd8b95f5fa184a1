package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.replication.Partition;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeLogDirs: for each of this broker's log directories, the replicas it holds (all, or the
 * partitions asked for) with their size on disk and their lag behind the high watermark, and the
 * directory's total and usable bytes. Tools such as kafka-reassign-partitions and kafka-log-dirs use
 * it. Weir has no future (moving) replicas, so {@code IsFutureKey} is always false.
 */
final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {
    private static final Logger log = LoggerFactory.getLogger(DescribeLogDirsHandler.class);

    private final BrokerServices services;

    DescribeLogDirsHandler(BrokerServices services) {
        this.services = services;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeLogDirsRequest request) {
        Map<Path, Map<String, DescribeLogDirsTopic>> byDir = new LinkedHashMap<>();
        services.replicas().logDirs().forEach(d -> byDir.put(d.toAbsolutePath().normalize(), new LinkedHashMap<>()));
        for (Map.Entry<TopicPartition, Partition> e : services.replicas().partitions().entrySet()) {
            TopicPartition tp = e.getKey();
            if (!wanted(request, tp)) {
                continue;
            }
            Partition p = e.getValue();
            Map<String, DescribeLogDirsTopic> topics = byDir.get(p.log().dir().getParent().toAbsolutePath().normalize());
            if (topics == null) {
                continue;
            }
            long lag = Math.max(0, p.highWatermark().offset() - p.log().logEndOffset());
            topics.computeIfAbsent(tp.topic(), n -> new DescribeLogDirsTopic().setName(n)).partitions()
                    .add(new DescribeLogDirsPartition().setPartitionIndex(tp.partition()).setPartitionSize(p.log().size())
                            .setOffsetLag(lag).setIsFutureKey(false));
        }
        DescribeLogDirsResponseData data = new DescribeLogDirsResponseData();
        byDir.forEach((dir, topics) -> {
            DescribeLogDirsResult result = new DescribeLogDirsResult().setLogDir(dir.toString())
                    .setTopics(new java.util.ArrayList<>(topics.values()));
            try {
                FileStore store = Files.getFileStore(dir);
                result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
            } catch (IOException ex) {
                log.warn("Cannot read the space of log directory {}: {}", dir, ex.toString());
                result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
            data.results().add(result);
        });
        return CompletableFuture.completedFuture(new DescribeLogDirsResponse(data));
    }

    private static boolean wanted(DescribeLogDirsRequest request, TopicPartition tp) {
        if (request.data().topics() == null) {
            return true;
        }
        DescribableLogDirTopic t = request.data().topics().find(tp.topic());
        return t != null && t.partitions().contains(tp.partition());
    }
}
