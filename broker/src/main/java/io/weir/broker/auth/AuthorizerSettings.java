package io.weir.broker.auth;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * The authorizer's settings, under Kafka's property names.
 *
 * <ul>
 * <li>{@code authorizer.class.name}: empty (the default) leaves authorization off; Kafka's
 *     {@code kafka.security.authorizer.AclAuthorizer} and
 *     {@code org.apache.kafka.metadata.authorizer.StandardAuthorizer}, and Weir's own
 *     {@code io.weir.broker.auth.AclAuthorizer}, all turn on the same ACL authorizer (ACLs in ZooKeeper);
 *     any other class is refused at startup.</li>
 * <li>{@code super.users}: {@code User:admin;User:broker}, principals allowed everything.</li>
 * <li>{@code allow.everyone.if.no.acl.found}: whether a resource without any ACL is open to all
 *     (default false: closed).</li>
 * </ul>
 *
 * @param enabled                    whether requests are authorized at all
 * @param superUsers                 principals that pass every check
 * @param allowEveryoneIfNoAclFound  the decision for a resource no ACL matches
 */
public record AuthorizerSettings(boolean enabled, Set<KafkaPrincipal> superUsers, boolean allowEveryoneIfNoAclFound) {
    public static final String AUTHORIZER_CLASS_NAME = "authorizer.class.name";
    public static final String SUPER_USERS = "super.users";
    public static final String ALLOW_EVERYONE_IF_NO_ACL_FOUND = "allow.everyone.if.no.acl.found";
    /** The class names that select this authorizer. */
    public static final Set<String> ACCEPTED_CLASS_NAMES = Set.of("kafka.security.authorizer.AclAuthorizer",
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer", "io.weir.broker.auth.AclAuthorizer");

    /** Authorization off: every request is allowed, as without {@code authorizer.class.name}. */
    public static final AuthorizerSettings DISABLED = new AuthorizerSettings(false, Set.of(), true);

    public AuthorizerSettings {
        superUsers = Set.copyOf(superUsers);
    }

    /**
     * Reads the settings from broker properties.
     *
     * @throws ConfigException naming the key when a value is invalid
     */
    public static AuthorizerSettings parse(Map<String, String> props) {
        String className = props.getOrDefault(AUTHORIZER_CLASS_NAME, "").trim();
        if (className.isEmpty()) {
            return DISABLED;
        }
        if (!ACCEPTED_CLASS_NAMES.contains(className)) {
            throw new ConfigException(AUTHORIZER_CLASS_NAME, className, "Weir's ACL authorizer is selected with one of "
                    + ACCEPTED_CLASS_NAMES + "; other authorizer classes cannot be loaded");
        }
        String allow = props.getOrDefault(ALLOW_EVERYONE_IF_NO_ACL_FOUND, "false").trim();
        if (!allow.equalsIgnoreCase("true") && !allow.equalsIgnoreCase("false")) {
            throw new ConfigException(ALLOW_EVERYONE_IF_NO_ACL_FOUND, allow, "expected true or false");
        }
        String supers = props.getOrDefault(SUPER_USERS, "");
        Set<KafkaPrincipal> superUsers;
        try {
            superUsers = Stream.of(supers.split(";")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(Principals::parse).collect(Collectors.toSet());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SUPER_USERS, supers, e.getMessage());
        }
        return new AuthorizerSettings(true, superUsers, Boolean.parseBoolean(allow));
    }
}
