package io.weir.broker.auth;

import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Decides whether a principal connected from a host may perform an operation on a resource, in
 * Kafka's ACL model:
 *
 * <ol>
 * <li>authorization off, or the principal is in {@code super.users}: allowed;</li>
 * <li>no ACL applies to the resource (literal name, literal {@code *}, matching prefixes):
 *     {@code allow.everyone.if.no.acl.found} decides;</li>
 * <li>a DENY entry for the principal (or {@code User:*}), the host (or {@code *}) and the operation
 *     (or {@code ALL}) applies: denied, whatever allows there are;</li>
 * <li>an ALLOW entry for the principal and host whose operation implies the one asked: allowed
 *     ({@code ALL} implies every operation; {@code READ}, {@code WRITE}, {@code DELETE} and
 *     {@code ALTER} imply {@code DESCRIBE}; {@code ALTER_CONFIGS} implies {@code DESCRIBE_CONFIGS});</li>
 * <li>otherwise denied.</li>
 * </ol>
 *
 * The decisions are pure functions of the settings and the current {@link AclSnapshot}, which the
 * ZooKeeper watch replaces whenever ACLs change.
 *
 * <p>Thread-safe: the snapshot is a volatile reference to an immutable value.
 */
public final class AclAuthorizer {
    private final AuthorizerSettings settings;
    private volatile AclSnapshot acls = AclSnapshot.EMPTY;

    public AclAuthorizer(AuthorizerSettings settings) {
        this.settings = settings;
    }

    /** An authorizer that allows everything (authorization off). */
    public static AclAuthorizer disabled() {
        return new AclAuthorizer(AuthorizerSettings.DISABLED);
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** Replaces the ACLs decisions are made on. */
    public void update(AclSnapshot snapshot) {
        this.acls = snapshot;
    }

    public AclSnapshot acls() {
        return acls;
    }

    /** Whether {@code principal} at {@code host} may perform {@code operation} on the resource {@code type}/{@code name}. */
    public boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name) {
        if (!settings.enabled() || isSuperUser(principal)) {
            return true;
        }
        List<AccessControlEntry> entries = acls.matching(type, name);
        if (entries.isEmpty()) {
            return settings.allowEveryoneIfNoAclFound();
        }
        return decide(entries, principal, host, operation);
    }

    /**
     * Whether the principal may perform {@code operation} on at least some resource of a type (Kafka's
     * {@code authorizeByResourceType}, used for idempotent producers without {@code IDEMPOTENT_WRITE}):
     * a wildcard DENY refuses; a wildcard decision or any applicable ALLOW on a resource of the type allows.
     */
    public boolean authorizeAny(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type) {
        if (!settings.enabled() || isSuperUser(principal)) {
            return true;
        }
        AclSnapshot snapshot = acls;
        List<AccessControlEntry> wildcard = snapshot.wildcard(type);
        for (AccessControlEntry e : wildcard) {
            if (e.permissionType() == AclPermissionType.DENY && applies(e, principal, host) && denies(e.operation(), operation)) {
                return false;
            }
        }
        if (wildcard.isEmpty() ? settings.allowEveryoneIfNoAclFound() && snapshot.ofType(type).isEmpty()
                : decide(wildcard, principal, host, operation)) {
            return true;
        }
        for (AclBinding b : snapshot.ofType(type)) {
            AccessControlEntry e = b.entry();
            if (e.permissionType() == AclPermissionType.ALLOW && applies(e, principal, host) && implies(e.operation(), operation)
                    && decide(snapshot.matching(type, b.pattern().name()), principal, host, operation)) {
                return true;
            }
        }
        return false;
    }

    public boolean isSuperUser(KafkaPrincipal principal) {
        return settings.superUsers().contains(principal);
    }

    private static boolean decide(List<AccessControlEntry> entries, KafkaPrincipal principal, String host, AclOperation op) {
        for (AccessControlEntry e : entries) {
            if (e.permissionType() == AclPermissionType.DENY && applies(e, principal, host) && denies(e.operation(), op)) {
                return false;
            }
        }
        for (AccessControlEntry e : entries) {
            if (e.permissionType() == AclPermissionType.ALLOW && applies(e, principal, host) && implies(e.operation(), op)) {
                return true;
            }
        }
        return false;
    }

    private static boolean applies(AccessControlEntry e, KafkaPrincipal principal, String host) {
        String p = e.principal();
        boolean principalMatches = p.equals(principal.toString()) || p.equals(Principals.ANY_USER.toString());
        return principalMatches && (e.host().equals("*") || e.host().equals(host));
    }

    private static boolean denies(AclOperation denied, AclOperation asked) {
        return denied == AclOperation.ALL || denied == asked;
    }

    /** Whether an ALLOW of {@code granted} covers {@code asked}. */
    static boolean implies(AclOperation granted, AclOperation asked) {
        if (granted == asked || granted == AclOperation.ALL) {
            return true;
        }
        return switch (asked) {
            case DESCRIBE -> granted == AclOperation.READ || granted == AclOperation.WRITE || granted == AclOperation.DELETE
                    || granted == AclOperation.ALTER;
            case DESCRIBE_CONFIGS -> granted == AclOperation.ALTER_CONFIGS;
            default -> false;
        };
    }
}
