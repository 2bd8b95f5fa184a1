package io.weir.ra;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.MessageListener;
import jakarta.resource.Referenceable;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ra.xml against the classes, as a server checks them at deployment: every class it names exists and implements
 * what it must, every config-property has a JavaBean setter of the declared type, and the descriptor is
 * Connectors 2.1 in the jakarta.ee namespace declaring XATransaction.
 */
class RaXmlTest {

    private static final String NS = "https://jakarta.ee/xml/ns/jakartaee";
    private static Element connector;

    @BeforeAll
    static void parse() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(Path.of("src/main/rar/META-INF/ra.xml").toFile());
        connector = d.getDocumentElement();
    }

    private static List<Element> all(Element parent, String name) {
        List<Element> l = new ArrayList<>();
        NodeList nodes = parent.getElementsByTagNameNS(NS, name);
        for (int i = 0; i < nodes.getLength(); i++) {
            l.add((Element) nodes.item(i));
        }
        return l;
    }

    private static Element one(Element parent, String name) {
        List<Element> l = all(parent, name);
        assertThat(l).as(name).hasSize(1);
        return l.get(0);
    }

    private static String text(Element parent, String name) {
        return one(parent, name).getTextContent().trim();
    }

    private static Class<?> load(Element parent, String name) throws ClassNotFoundException {
        return Class.forName(text(parent, name));
    }

    /** Each config-property under {@code owner} has a public setter of its declared type on {@code type}. */
    private static void assertSetters(Element owner, Class<?> type) throws Exception {
        for (Element p : all(owner, "config-property")) {
            if (p.getParentNode() != owner) {
                continue;
            }
            String name = text(p, "config-property-name");
            Class<?> declared = Class.forName(text(p, "config-property-type"));
            String setter = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
            Method m = type.getMethod(setter, declared);
            assertThat(m.getReturnType()).as(type.getSimpleName() + "." + setter).isEqualTo(void.class);
            String getter = "get" + setter.substring(3);
            assertThat(type.getMethod(getter).getReturnType()).as(type.getSimpleName() + "." + getter).isEqualTo(declared);
            // servers set properties through JavaBeans introspection: the property must be writable there
            java.beans.PropertyDescriptor d = java.util.Arrays.stream(java.beans.Introspector.getBeanInfo(type)
                    .getPropertyDescriptors()).filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
            assertThat(d.getWriteMethod()).as(type.getSimpleName() + "." + name + " writable").isEqualTo(m);
        }
    }

    @Test
    void isConnectors21() {
        assertThat(connector.getNamespaceURI()).isEqualTo(NS);
        assertThat(connector.getLocalName()).isEqualTo("connector");
        assertThat(connector.getAttribute("version")).isEqualTo("2.1");
        assertThat(text(connector, "transaction-support")).isEqualTo("XATransaction");
    }

    @Test
    void theResourceAdapterAndItsProperties() throws Exception {
        Element ra = one(connector, "resourceadapter");
        Class<?> c = load(ra, "resourceadapter-class");
        assertThat(ResourceAdapter.class).isAssignableFrom(c);
        assertThat(c.getDeclaredMethod("equals", Object.class)).isNotNull();
        assertThat(c.getDeclaredMethod("hashCode")).isNotNull();
        assertSetters(ra, c);
        assertThat(all(ra, "config-property").stream().filter(p -> p.getParentNode() == ra)).hasSize(6);
    }

    @Test
    void theConnectionDefinition() throws Exception {
        Element def = one(connector, "connection-definition");
        Class<?> mcf = load(def, "managedconnectionfactory-class");
        assertThat(ManagedConnectionFactory.class).isAssignableFrom(mcf);
        assertThat(mcf.getDeclaredMethod("equals", Object.class)).isNotNull();
        assertThat(mcf.getDeclaredMethod("hashCode")).isNotNull();
        assertSetters(def, mcf);
        assertThat(load(def, "connectionfactory-interface")).isEqualTo(ConnectionFactory.class);
        Class<?> cf = load(def, "connectionfactory-impl-class");
        assertThat(cf).isAssignableTo(ConnectionFactory.class).isAssignableTo(jakarta.jms.QueueConnectionFactory.class)
                .isAssignableTo(jakarta.jms.TopicConnectionFactory.class).isAssignableTo(Serializable.class)
                .isAssignableTo(Referenceable.class);
        assertThat(load(def, "connection-impl-class")).isAssignableTo(load(def, "connection-interface"));
    }

    @Test
    void theActivationSpec() throws Exception {
        Element listener = one(connector, "messagelistener");
        assertThat(load(listener, "messagelistener-type")).isEqualTo(MessageListener.class);
        Element spec = one(listener, "activationspec");
        Class<?> c = load(spec, "activationspec-class");
        assertThat(ActivationSpec.class).isAssignableFrom(c);
        assertThat(c.getConstructor()).isNotNull();
        assertSetters(spec, c);
        List<String> names = all(spec, "config-property-name").stream().map(e -> e.getTextContent().trim()).toList();
        assertThat(names).contains("destination", "destinationLookup", "destinationType", "messageSelector",
                "acknowledgeMode", "subscriptionDurability", "subscriptionName", "clientId", "connectionFactoryLookup",
                "maxSession", "bootstrapServers", "maxDeliveryAttempts", "deadLetterDestination");
    }

    @Test
    void theAdminObjects() throws Exception {
        List<Element> objects = all(connector, "adminobject");
        assertThat(objects).hasSize(2);
        for (Element o : objects) {
            Class<?> type = load(o, "adminobject-interface");
            Class<?> c = load(o, "adminobject-class");
            assertThat(c).isAssignableTo(type).isAssignableTo(Serializable.class).isAssignableTo(Referenceable.class);
            assertThat(c.getConstructor()).isNotNull();
            assertSetters(o, c);
        }
    }
}
