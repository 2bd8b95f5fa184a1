package io.weir.cdi;

import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSPasswordCredential;
import jakarta.jms.JMSSessionMode;

import java.lang.reflect.AnnotatedElement;

/**
 * What an injection point asks of its {@link JMSContext}: the factory name (null: the default factory), the
 * credentials (null: none given) and the session mode. Injection points with equal keys share one context per
 * request scope.
 */
record ContextKey(String factoryName, String userName, String password, int sessionMode) {

    static ContextKey of(InjectionPoint ip) {
        JMSConnectionFactory cf = annotation(ip, JMSConnectionFactory.class);
        JMSSessionMode mode = annotation(ip, JMSSessionMode.class);
        JMSPasswordCredential credential = annotation(ip, JMSPasswordCredential.class);
        return new ContextKey(cf == null ? null : cf.value(),
                credential == null ? null : credential.userName(),
                credential == null ? null : credential.password(),
                mode == null ? JMSContext.AUTO_ACKNOWLEDGE : mode.value());
    }

    /** The annotation on the field or parameter, else on its member, else on its declaring class. */
    static <A extends java.lang.annotation.Annotation> A annotation(InjectionPoint ip, Class<A> type) {
        if (ip.getAnnotated() != null && ip.getAnnotated().isAnnotationPresent(type)) {
            return ip.getAnnotated().getAnnotation(type);
        }
        if (ip.getMember() instanceof AnnotatedElement member && member.isAnnotationPresent(type)) {
            return member.getAnnotation(type);
        }
        if (ip.getMember() != null && ip.getMember().getDeclaringClass().isAnnotationPresent(type)) {
            return ip.getMember().getDeclaringClass().getAnnotation(type);
        }
        return null;
    }

    boolean validSessionMode() {
        return sessionMode == JMSContext.AUTO_ACKNOWLEDGE || sessionMode == JMSContext.CLIENT_ACKNOWLEDGE
                || sessionMode == JMSContext.DUPS_OK_ACKNOWLEDGE || sessionMode == JMSContext.SESSION_TRANSACTED;
    }

    @Override
    public String toString() { // never shows the password
        return "factory " + (factoryName == null ? "(default)" : "'" + factoryName + "'")
                + (userName == null ? "" : ", user '" + userName + "'") + ", session mode " + sessionMode;
    }
}
