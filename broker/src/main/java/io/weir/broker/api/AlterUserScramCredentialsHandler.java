package io.weir.broker.api;

import io.weir.broker.auth.ScramCredentialStore;
import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AlterUserScramCredentials ({@code kafka-configs.sh --alter --add-config 'SCRAM-SHA-256=[password=…]'
 * --entity-type users}): the client sends the salted password, the broker derives and stores the keys.
 * Each user gets one result; a user with any invalid alteration is left unchanged, as in Kafka:
 * an unknown mechanism is {@code UNSUPPORTED_SASL_MECHANISM}, an empty name, iterations out of range or
 * an empty salt {@code UNACCEPTABLE_CREDENTIAL}, the same user and mechanism twice
 * {@code DUPLICATE_RESOURCE}, deleting a credential that does not exist {@code RESOURCE_NOT_FOUND}.
 */
final class AlterUserScramCredentialsHandler implements ApiHandler<AlterUserScramCredentialsRequest> {
    private static final Logger log = LoggerFactory.getLogger(AlterUserScramCredentialsHandler.class);

    private final ScramCredentialStore store;

    AlterUserScramCredentialsHandler(ScramCredentialStore store) {
        this.store = store;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_USER_SCRAM_CREDENTIALS;
    }

    private record Failure(Errors error, String message) {
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AlterUserScramCredentialsRequest request) {
        Map<String, Failure> failures = new HashMap<>();
        Map<String, List<Runnable>> work = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (ScramCredentialDeletion d : request.data().deletions()) {
            ScramMechanism m = mechanism(d.mechanism());
            check(d.name(), m, seen, failures, work);
            if (!failures.containsKey(d.name())) {
                work.get(d.name()).add(() -> {
                    if (!store.delete(d.name(), m)) {
                        throw new NotFound("Attempt to delete a user credential that does not exist");
                    }
                });
            }
        }
        for (ScramCredentialUpsertion u : request.data().upsertions()) {
            ScramMechanism m = mechanism(u.mechanism());
            check(u.name(), m, seen, failures, work);
            if (failures.containsKey(u.name())) {
                continue;
            }
            if (u.iterations() < m.minIterations() || u.iterations() > m.maxIterations()) {
                failures.put(u.name(), new Failure(Errors.UNACCEPTABLE_CREDENTIAL, "Iterations must be between "
                        + m.minIterations() + " and " + m.maxIterations() + " for " + m.mechanismName()));
                continue;
            }
            if (u.salt() == null || u.salt().length == 0 || u.saltedPassword() == null || u.saltedPassword().length == 0) {
                failures.put(u.name(), new Failure(Errors.UNACCEPTABLE_CREDENTIAL, "Salt and salted password must not be empty"));
                continue;
            }
            work.get(u.name()).add(() -> store.upsert(u.name(), m, u.salt(), u.saltedPassword(), u.iterations()));
        }
        List<AlterUserScramCredentialsResult> results = new ArrayList<>();
        Set<String> users = new java.util.LinkedHashSet<>(work.keySet());
        users.addAll(failures.keySet());
        for (String user : users) {
            Failure f = failures.get(user);
            if (f == null) {
                try {
                    work.get(user).forEach(Runnable::run);
                    log.info("SCRAM credentials of user {} altered by {}", user, context.principal());
                } catch (NotFound e) {
                    f = new Failure(Errors.RESOURCE_NOT_FOUND, e.getMessage());
                } catch (RuntimeException e) {
                    log.warn("Cannot alter the SCRAM credentials of user {}", user, e);
                    f = new Failure(Errors.UNKNOWN_SERVER_ERROR, "Cannot store the credentials: " + e.getMessage());
                }
            }
            results.add(new AlterUserScramCredentialsResult().setUser(user)
                    .setErrorCode(f == null ? Errors.NONE.code() : f.error().code())
                    .setErrorMessage(f == null ? null : f.message()));
        }
        return CompletableFuture.completedFuture(new AlterUserScramCredentialsResponse(
                new AlterUserScramCredentialsResponseData().setResults(results)));
    }

    private static void check(String user, ScramMechanism m, Set<String> seen, Map<String, Failure> failures,
                              Map<String, List<Runnable>> work) {
        work.computeIfAbsent(user, u -> new ArrayList<>());
        if (failures.containsKey(user)) {
            return;
        }
        if (user == null || user.isEmpty()) {
            failures.put(user, new Failure(Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty"));
        } else if (m == null) {
            failures.put(user, new Failure(Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism"));
        } else if (!seen.add(user + "\u0000" + m.mechanismName())) {
            failures.put(user, new Failure(Errors.DUPLICATE_RESOURCE, "A user credential cannot be altered twice in the"
                    + " same request"));
        }
    }

    private static ScramMechanism mechanism(byte type) {
        for (ScramMechanism m : ScramMechanism.values()) {
            if (m.type() == type) {
                return m;
            }
        }
        return null;
    }

    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }
}
