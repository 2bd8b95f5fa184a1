package io.weir.cdi;

import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the destination of an injected {@link jakarta.jms.Queue} or {@link jakarta.jms.Topic}:
 * <pre>
 * &#64;Inject &#64;JmsDestination("Orders") Queue orders;
 * </pre>
 * The value is the name of a {@code queue.<name>} / {@code topic.<name>} entry of the configuration (see
 * {@link WeirJmsExtension}); when there is no such entry it is the physical destination name itself.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE})
public @interface JmsDestination {

    @Nonbinding
    String value();
}
