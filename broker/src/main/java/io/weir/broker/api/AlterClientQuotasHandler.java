package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.quota.ClientQuotas;
import io.weir.broker.quota.QuotaEntity;
import io.weir.broker.quota.QuotaKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;
import org.apache.kafka.common.requests.AlterClientQuotasResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AlterClientQuotas ({@code kafka-configs.sh --alter --add-config 'producer_byte_rate=1024' --entity-type
 * clients --entity-name x}): sets and removes quotas of users, client ids and users' client ids (a null
 * name is the default entity), stored in ZooKeeper. Each entry gets its own result and is applied whole
 * or not at all: an unknown or repeated entity type, an {@code ip} entity (Weir keeps no ip quotas), an
 * empty name, an unknown key, a key given twice or a value that is not positive (or not whole, for the
 * byte rates) is {@code INVALID_REQUEST} with a message. {@code validate_only} checks without storing.
 */
final class AlterClientQuotasHandler implements ApiHandler<AlterClientQuotasRequest> {
    private static final Logger log = LoggerFactory.getLogger(AlterClientQuotasHandler.class);

    private final ClientQuotas quotas;

    AlterClientQuotasHandler(ClientQuotas quotas) {
        this.quotas = quotas;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CLIENT_QUOTAS;
    }

    private static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AlterClientQuotasRequest request) {
        List<AlterClientQuotasResponseData.EntryData> results = new ArrayList<>();
        for (AlterClientQuotasRequestData.EntryData entry : request.data().entries()) {
            Errors error = Errors.NONE;
            String message = null;
            try {
                QuotaEntity entity = entity(entry.entity());
                Map<String, Double> set = new HashMap<>();
                Set<String> remove = new HashSet<>();
                for (AlterClientQuotasRequestData.OpData op : entry.ops()) {
                    if (set.containsKey(op.key()) || remove.contains(op.key())) {
                        throw new Invalid("Quota key '" + op.key() + "' given twice for " + entity);
                    }
                    String invalid = QuotaKeys.invalid(op.key(), op.remove() ? 1 : op.value());
                    if (invalid != null) {
                        throw new Invalid(invalid);
                    }
                    if (op.remove()) {
                        remove.add(op.key());
                    } else {
                        set.put(op.key(), op.value());
                    }
                }
                if (!request.data().validateOnly()) {
                    quotas.alter(entity, set, remove);
                    log.info("Client quotas of {} altered by {}: set {}, removed {}", entity, context.principal(), set, remove);
                }
            } catch (Invalid e) {
                error = Errors.INVALID_REQUEST;
                message = e.getMessage();
            } catch (RuntimeException e) {
                log.warn("Cannot alter the client quotas of {}", entry.entity(), e);
                error = Errors.UNKNOWN_SERVER_ERROR;
                message = "Cannot store the quotas: " + e.getMessage();
            }
            List<AlterClientQuotasResponseData.EntityData> echoed = new ArrayList<>();
            entry.entity().forEach(e -> echoed.add(new AlterClientQuotasResponseData.EntityData()
                    .setEntityType(e.entityType()).setEntityName(e.entityName())));
            results.add(new AlterClientQuotasResponseData.EntryData().setEntity(echoed).setErrorCode(error.code())
                    .setErrorMessage(message));
        }
        return CompletableFuture.completedFuture(new AlterClientQuotasResponse(
                new AlterClientQuotasResponseData().setEntries(results)));
    }

    private static QuotaEntity entity(List<AlterClientQuotasRequestData.EntityData> parts) throws Invalid {
        if (parts.isEmpty()) {
            throw new Invalid("A client quota entity needs at least one entity type");
        }
        String user = null;
        String client = null;
        Set<String> seen = new HashSet<>();
        for (AlterClientQuotasRequestData.EntityData part : parts) {
            String type = part.entityType();
            if (!seen.add(type)) {
                throw new Invalid("Entity type '" + type + "' given twice in one client quota entity");
            }
            String name = part.entityName() == null ? QuotaEntity.DEFAULT : part.entityName();
            if (name.isEmpty()) {
                throw new Invalid("The " + type + " of a client quota entity must not be empty (null names the default)");
            }
            if (ClientQuotaEntity.USER.equals(type)) {
                user = name;
            } else if (ClientQuotaEntity.CLIENT_ID.equals(type)) {
                client = name;
            } else if (ClientQuotaEntity.IP.equals(type)) {
                throw new Invalid("Quotas on ip entities (connection_creation_rate) are not supported by this broker");
            } else {
                throw new Invalid("Unknown client quota entity type '" + type + "' (valid: user, client-id)");
            }
        }
        return new QuotaEntity(user, client);
    }
}
