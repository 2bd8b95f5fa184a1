package io.weir.broker.api;

import io.weir.broker.network.RequestContext;
import io.weir.broker.quota.ClientQuotas;
import io.weir.broker.quota.QuotaEntity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntityData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntryData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.ValueData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;

/**
 * DescribeClientQuotas ({@code kafka-configs.sh --describe --entity-type users|clients}): the quotas of
 * every entity the filter matches, from this broker's cache of ZooKeeper. Each filter component names an
 * entity type ({@code user}, {@code client-id}, {@code ip}) and matches an exact name, the default entity
 * or any named entity; every component must match, and with {@code strict} the entity may have no other
 * types. An unknown type, a type given twice, an exact match without a name or an unknown match type is
 * {@code INVALID_REQUEST} with a message, as in Kafka. Weir keeps no {@code ip} quotas: a filter on
 * {@code ip} matches nothing.
 */
final class DescribeClientQuotasHandler implements ApiHandler<DescribeClientQuotasRequest> {
    private final ClientQuotas quotas;

    DescribeClientQuotasHandler(ClientQuotas quotas) {
        this.quotas = quotas;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeClientQuotasRequest request) {
        List<ComponentData> components = request.data().components();
        String invalid = invalid(components);
        if (invalid != null) {
            return CompletableFuture.completedFuture(new DescribeClientQuotasResponse(new DescribeClientQuotasResponseData()
                    .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(invalid).setEntries(null)));
        }
        List<EntryData> entries = new ArrayList<>();
        quotas.snapshot().all().forEach((entity, values) -> {
            if (matches(entity, components, request.data().strict())) {
                List<ValueData> v = new ArrayList<>();
                values.forEach((key, value) -> v.add(new ValueData().setKey(key).setValue(value)));
                entries.add(new EntryData().setEntity(entityData(entity)).setValues(v));
            }
        });
        return CompletableFuture.completedFuture(new DescribeClientQuotasResponse(new DescribeClientQuotasResponseData()
                .setErrorCode(Errors.NONE.code()).setEntries(entries)));
    }

    private static String invalid(List<ComponentData> components) {
        java.util.Set<String> types = new java.util.HashSet<>();
        for (ComponentData c : components) {
            if (!ClientQuotaEntity.isValidEntityType(c.entityType())) {
                return "Unknown client quota entity type '" + c.entityType() + "' (valid: user, client-id, ip)";
            }
            if (!types.add(c.entityType())) {
                return "Duplicate filter component for entity type '" + c.entityType() + "'";
            }
            byte m = c.matchType();
            if (m == DescribeClientQuotasRequest.MATCH_TYPE_EXACT && c.match() == null) {
                return "An exact match of entity type '" + c.entityType() + "' needs a name";
            }
            if (m != DescribeClientQuotasRequest.MATCH_TYPE_EXACT && m != DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT
                    && m != DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED) {
                return "Unknown match type " + m + " for entity type '" + c.entityType() + "'";
            }
        }
        return null;
    }

    private static boolean matches(QuotaEntity entity, List<ComponentData> components, boolean strict) {
        Map<String, String> parts = parts(entity);
        for (ComponentData c : components) {
            String name = parts.get(c.entityType());
            if (name == null) {
                return false;
            }
            boolean isDefault = name.equals(QuotaEntity.DEFAULT);
            boolean ok = switch (c.matchType()) {
                case DescribeClientQuotasRequest.MATCH_TYPE_EXACT -> !isDefault && name.equals(c.match());
                case DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT -> isDefault;
                default -> true; // any: a named or default entity of that type
            };
            if (!ok) {
                return false;
            }
        }
        return !strict || parts.size() == components.size();
    }

    private static Map<String, String> parts(QuotaEntity entity) {
        Map<String, String> parts = new HashMap<>();
        if (entity.user() != null) {
            parts.put(ClientQuotaEntity.USER, entity.user());
        }
        if (entity.clientId() != null) {
            parts.put(ClientQuotaEntity.CLIENT_ID, entity.clientId());
        }
        return parts;
    }

    private static List<EntityData> entityData(QuotaEntity entity) {
        List<EntityData> out = new ArrayList<>();
        parts(entity).forEach((type, name) -> out.add(new EntityData().setEntityType(type)
                .setEntityName(name.equals(QuotaEntity.DEFAULT) ? null : name)));
        return out;
    }
}
