package io.weir.broker.api;

import io.weir.broker.auth.Principals;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** Validation of the ACL bindings CreateAcls asks for, with the message the client sees. */
final class AclRequests {
    private AclRequests() {
    }

    /** Why a binding cannot be stored, or null when it can. */
    static String invalid(AclBinding binding) {
        ResourcePattern p = binding.pattern();
        if (p.resourceType() == ResourceType.ANY || p.resourceType() == ResourceType.UNKNOWN) {
            return "Invalid resource type " + p.resourceType();
        }
        if (p.patternType() != PatternType.LITERAL && p.patternType() != PatternType.PREFIXED) {
            return "Invalid pattern type " + p.patternType() + ": only LITERAL and PREFIXED ACLs can be created";
        }
        if (p.name() == null || p.name().isEmpty()) {
            return "Resource name must not be empty";
        }
        if (p.resourceType() == ResourceType.CLUSTER && !p.name().equals(Access.CLUSTER_NAME)) {
            return "The only valid name for the CLUSTER resource is " + Access.CLUSTER_NAME;
        }
        AclOperation op = binding.entry().operation();
        if (op == AclOperation.ANY || op == AclOperation.UNKNOWN) {
            return "Invalid operation " + op;
        }
        AclPermissionType perm = binding.entry().permissionType();
        if (perm != AclPermissionType.ALLOW && perm != AclPermissionType.DENY) {
            return "Invalid permission type " + perm;
        }
        try {
            Principals.parse(binding.entry().principal());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (binding.entry().host() == null || binding.entry().host().isEmpty()) {
            return "Host must not be empty (use * for any host)";
        }
        return null;
    }
}
