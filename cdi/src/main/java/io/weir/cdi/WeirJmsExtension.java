package io.weir.cdi;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Queue;
import jakarta.jms.Topic;

import javax.naming.NamingException;
import java.util.ArrayList;
import java.util.List;

/**
 * Jakarta Messaging injection for CDI outside an application server (Weld SE and the like). Adding the jar to
 * the class path is enough: the extension is found through {@code META-INF/services}.
 * <ul>
 *   <li>{@code @Inject JMSContext}, with {@code @JMSConnectionFactory}, {@code @JMSSessionMode} and
 *       {@code @JMSPasswordCredential}: one context per JTA transaction and configuration while a transaction is
 *       active (closed when it completes; enlisted in it when the factory is XA-capable), else one per request
 *       scope and configuration, closed when the scope ends (the request scope must then be active:
 *       {@code @ActivateRequestContext} or a request context controller);</li>
 *   <li>{@code @Inject ConnectionFactory}, optionally with {@code @JMSConnectionFactory};</li>
 *   <li>{@code @Inject @JmsDestination("name") Queue} / {@code Topic}.</li>
 * </ul>
 * The factories and destinations come from {@code jndi.properties} and system properties in the provider's JNDI
 * style ({@code connectionFactory.<name>=host:port?...}, {@code queue.<name>=...}, {@code topic.<name>=...}).
 * Every injection point is checked when the container starts; whatever does not resolve fails the start with
 * one {@link DeploymentException} that lists each problem.
 */
public class WeirJmsExtension implements Extension {

    private final List<InjectionPoint> contextPoints = new ArrayList<>();
    private final List<InjectionPoint> factoryPoints = new ArrayList<>();
    private final List<InjectionPoint> queuePoints = new ArrayList<>();
    private final List<InjectionPoint> topicPoints = new ArrayList<>();
    private volatile JmsConfiguration configuration;

    void addBeans(@Observes BeforeBeanDiscovery bbd, BeanManager bm) {
        bbd.addAnnotatedType(bm.createAnnotatedType(JmsProducers.class), JmsProducers.class.getName());
        bbd.addAnnotatedType(bm.createAnnotatedType(RequestContexts.class), RequestContexts.class.getName());
        bbd.addAnnotatedType(bm.createAnnotatedType(ContextScopes.class), ContextScopes.class.getName());
    }

    void contextPoint(@Observes ProcessInjectionPoint<?, JMSContext> pip) {
        contextPoints.add(pip.getInjectionPoint());
    }

    void factoryPoint(@Observes ProcessInjectionPoint<?, ConnectionFactory> pip) {
        factoryPoints.add(pip.getInjectionPoint());
    }

    void queuePoint(@Observes ProcessInjectionPoint<?, Queue> pip) {
        queuePoints.add(pip.getInjectionPoint());
    }

    void topicPoint(@Observes ProcessInjectionPoint<?, Topic> pip) {
        topicPoints.add(pip.getInjectionPoint());
    }

    void validate(@Observes AfterDeploymentValidation adv) {
        List<String> problems = new ArrayList<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            configuration = JmsConfiguration.load(loader != null ? loader : WeirJmsExtension.class.getClassLoader(),
                    System.getProperties());
        } catch (NamingException e) {
            problems.add("the Jakarta Messaging configuration (jndi.properties, system properties) is invalid: " + e.getMessage());
        }
        if (configuration != null) {
            for (InjectionPoint ip : contextPoints) {
                ContextKey key = ContextKey.of(ip);
                if (!key.validSessionMode()) {
                    problems.add(describe(ip) + ": @JMSSessionMode(" + key.sessionMode() + ") is not a session mode");
                }
                check(problems, ip, () -> configuration.factory(key.factoryName()));
            }
            for (InjectionPoint ip : factoryPoints) {
                JMSConnectionFactory name = ContextKey.annotation(ip, JMSConnectionFactory.class);
                check(problems, ip, () -> configuration.factory(name == null ? null : name.value()));
            }
            for (InjectionPoint ip : queuePoints) {
                check(problems, ip, () -> configuration.queue(JmsProducers.destinationName(ip)));
            }
            for (InjectionPoint ip : topicPoints) {
                check(problems, ip, () -> configuration.topic(JmsProducers.destinationName(ip)));
            }
        }
        if (!problems.isEmpty()) {
            adv.addDeploymentProblem(new DeploymentException("Weir Jakarta Messaging injection: "
                    + String.join("; ", problems)));
        }
    }

    private interface Lookup {
        Object run() throws NamingException;
    }

    private static void check(List<String> problems, InjectionPoint ip, Lookup lookup) {
        try {
            lookup.run();
        } catch (NamingException e) {
            problems.add(describe(ip) + ": " + e.getMessage());
        }
    }

    private static String describe(InjectionPoint ip) {
        return ip.getMember() == null ? String.valueOf(ip)
                : ip.getMember().getDeclaringClass().getName() + "." + ip.getMember().getName();
    }

    ConnectionFactory factory(String name) {
        try {
            return config().factory(name);
        } catch (NamingException e) {
            throw runtime(e);
        }
    }

    Queue queue(String name) {
        try {
            return config().queue(name);
        } catch (NamingException e) {
            throw runtime(e);
        }
    }

    Topic topic(String name) {
        try {
            return config().topic(name);
        } catch (NamingException e) {
            throw runtime(e);
        }
    }

    private JmsConfiguration config() {
        JmsConfiguration c = configuration;
        if (c == null) {
            throw new JMSRuntimeException("the Weir CDI extension has not been validated yet (the container is still starting)");
        }
        return c;
    }

    private static JMSRuntimeException runtime(NamingException e) {
        JMSRuntimeException r = new JMSRuntimeException(e.getMessage());
        r.initCause(e);
        return r;
    }
}
