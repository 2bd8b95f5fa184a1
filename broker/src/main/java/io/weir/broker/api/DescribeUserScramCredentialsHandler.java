package io.weir.broker.api;

import io.weir.broker.auth.ScramCredentialStore;
import io.weir.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * DescribeUserScramCredentials: mechanisms and iterations (never keys) of the named users, or of every
 * user when none is named. A named user without credentials is {@code RESOURCE_NOT_FOUND}, a name given
 * twice {@code DUPLICATE_RESOURCE}, as in Kafka.
 */
final class DescribeUserScramCredentialsHandler implements ApiHandler<DescribeUserScramCredentialsRequest> {
    private final ScramCredentialStore store;

    DescribeUserScramCredentialsHandler(ScramCredentialStore store) {
        this.store = store;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeUserScramCredentialsRequest request) {
        List<DescribeUserScramCredentialsResult> results = new ArrayList<>();
        List<UserName> users = request.data().users();
        if (users == null || users.isEmpty()) {
            store.describe().forEach((user, creds) -> results.add(result(user, creds)));
        } else {
            Set<String> seen = new HashSet<>();
            Set<String> duplicates = new HashSet<>();
            users.forEach(u -> {
                if (!seen.add(u.name())) {
                    duplicates.add(u.name());
                }
            });
            for (String user : seen) {
                if (duplicates.contains(user)) {
                    results.add(new DescribeUserScramCredentialsResult().setUser(user)
                            .setErrorCode(Errors.DUPLICATE_RESOURCE.code()).setErrorMessage("Cannot describe SCRAM credentials"
                                    + " for the same user twice in a single request: " + user));
                    continue;
                }
                Map<ScramMechanism, Integer> creds = store.describe(user);
                results.add(creds.isEmpty()
                        ? new DescribeUserScramCredentialsResult().setUser(user).setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                                .setErrorMessage("Attempt to describe a user credential that does not exist: " + user)
                        : result(user, creds));
            }
        }
        return CompletableFuture.completedFuture(new DescribeUserScramCredentialsResponse(
                new DescribeUserScramCredentialsResponseData().setResults(results)));
    }

    private static DescribeUserScramCredentialsResult result(String user, Map<ScramMechanism, Integer> creds) {
        List<CredentialInfo> infos = new ArrayList<>();
        creds.forEach((m, iterations) -> infos.add(new CredentialInfo().setMechanism(m.type()).setIterations(iterations)));
        return new DescribeUserScramCredentialsResult().setUser(user).setErrorCode(Errors.NONE.code()).setCredentialInfos(infos);
    }
}
