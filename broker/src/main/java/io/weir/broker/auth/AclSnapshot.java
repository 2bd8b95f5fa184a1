package io.weir.broker.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Every ACL binding of the cluster at one moment, indexed for decisions: literal patterns (the
 * wildcard {@code *} among them) by exact name, prefixed patterns by their prefix.
 *
 * <p>Immutable, so thread-safe; a new snapshot replaces the old one when ACLs change.
 */
public final class AclSnapshot {
    public static final AclSnapshot EMPTY = new AclSnapshot(List.of());

    private final List<AclBinding> all;
    private final Map<ResourceType, Map<String, List<AccessControlEntry>>> literal = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, Map<String, List<AccessControlEntry>>> prefixed = new EnumMap<>(ResourceType.class);

    public AclSnapshot(Collection<AclBinding> bindings) {
        this.all = List.copyOf(bindings);
        for (AclBinding b : all) {
            ResourcePattern p = b.pattern();
            Map<ResourceType, Map<String, List<AccessControlEntry>>> index =
                    p.patternType() == PatternType.PREFIXED ? prefixed : literal;
            index.computeIfAbsent(p.resourceType(), t -> new HashMap<>())
                    .computeIfAbsent(p.name(), n -> new ArrayList<>()).add(b.entry());
        }
    }

    /** Every binding, for DescribeAcls and DeleteAcls. */
    public List<AclBinding> bindings() {
        return all;
    }

    /**
     * The entries that apply to one resource: its literal name, the literal wildcard and every
     * prefix pattern the name starts with.
     */
    public List<AccessControlEntry> matching(ResourceType type, String name) {
        if (name == null) { // a resource without a name: only the wildcard can speak for it
            return List.copyOf(wildcard(type));
        }
        List<AccessControlEntry> out = new ArrayList<>();
        Map<String, List<AccessControlEntry>> lit = literal.get(type);
        if (lit != null) {
            out.addAll(lit.getOrDefault(name, List.of()));
            if (!name.equals(ResourcePattern.WILDCARD_RESOURCE)) {
                out.addAll(lit.getOrDefault(ResourcePattern.WILDCARD_RESOURCE, List.of()));
            }
        }
        Map<String, List<AccessControlEntry>> pre = prefixed.get(type);
        if (pre != null) {
            for (int end = 1; end <= name.length(); end++) {
                out.addAll(pre.getOrDefault(name.substring(0, end), List.of()));
            }
        }
        return out;
    }

    /** Every entry on any resource of a type, each with its pattern (for checks on "some resource of this type"). */
    List<AclBinding> ofType(ResourceType type) {
        return all.stream().filter(b -> b.pattern().resourceType() == type).toList();
    }

    /** The entries of the literal wildcard pattern of a type. */
    List<AccessControlEntry> wildcard(ResourceType type) {
        Map<String, List<AccessControlEntry>> lit = literal.get(type);
        return lit == null ? List.of() : lit.getOrDefault(ResourcePattern.WILDCARD_RESOURCE, List.of());
    }

    @Override
    public String toString() {
        return all.size() + " ACL bindings";
    }
}
