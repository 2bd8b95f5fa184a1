package io.weir.broker.auth;

import org.apache.kafka.common.security.auth.KafkaPrincipal;

/** Principals as ACLs and {@code super.users} write them: {@code Type:name}, e.g. {@code User:alice}. */
public final class Principals {
    /** The principal an ACL uses to mean every user. */
    public static final KafkaPrincipal ANY_USER = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "*");

    private Principals() {
    }

    /**
     * Parses {@code Type:name}.
     *
     * @throws IllegalArgumentException when there is no type or no name
     */
    public static KafkaPrincipal parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("Principal '" + text + "' is not of the form Type:name (e.g. User:alice)");
        }
        return new KafkaPrincipal(text.substring(0, colon), text.substring(colon + 1));
    }
}
