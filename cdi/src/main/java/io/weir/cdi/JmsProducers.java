package io.weir.cdi;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.Queue;
import jakarta.jms.Topic;

/** Produces what the extension injects; added to the deployment by {@link WeirJmsExtension}. */
@Dependent
class JmsProducers {

    private final WeirJmsExtension extension;
    private final ContextScopes contexts;

    @Inject
    JmsProducers(WeirJmsExtension extension, ContextScopes contexts) {
        this.extension = extension;
        this.contexts = contexts;
    }

    @Produces
    @Dependent
    JMSContext context(InjectionPoint ip) {
        return new InjectedJMSContext(ContextKey.of(ip), contexts);
    }

    @Produces
    @Dependent
    ConnectionFactory connectionFactory(InjectionPoint ip) {
        JMSConnectionFactory name = ContextKey.annotation(ip, JMSConnectionFactory.class);
        return extension.factory(name == null ? null : name.value());
    }

    @Produces
    @JmsDestination("")
    Queue queue(InjectionPoint ip) {
        return extension.queue(destinationName(ip));
    }

    @Produces
    @JmsDestination("")
    Topic topic(InjectionPoint ip) {
        return extension.topic(destinationName(ip));
    }

    static String destinationName(InjectionPoint ip) {
        return ip.getQualifiers().stream().filter(JmsDestination.class::isInstance).map(JmsDestination.class::cast)
                .findFirst().map(JmsDestination::value).orElse("");
    }
}
