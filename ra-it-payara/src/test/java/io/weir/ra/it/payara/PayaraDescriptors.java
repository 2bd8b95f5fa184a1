package io.weir.ra.it.payara;

import io.weir.ra.it.app.Forwarder;
import io.weir.ra.it.payara.app.PayaraNames;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.shrinkwrap.api.asset.Asset;
import org.jboss.shrinkwrap.api.asset.StringAsset;

/**
 * The Payara descriptors of the smaller test applications, written for the beans each one holds (a descriptor that
 * names a bean the archive lacks fails its deployment): {@code glassfish-ejb-jar.xml} binding each MDB to Weir's
 * adapter ({@value PayaraDomain#ADAPTER}; Payara's MDBs default to its own JMS adapter), and {@code ejb-jar.xml}
 * pointing the shared {@link Forwarder}'s factory at Payara's name (no colon in a resource name) and overriding
 * activation properties. {@code payara/ejb-jar.xml} and {@code payara/glassfish-ejb-jar.xml} are the same for
 * {@code PayaraAdapterIT}'s application.
 */
final class PayaraDescriptors {

    private PayaraDescriptors() {
    }

    /** {@code WEB-INF/glassfish-ejb-jar.xml}: every bean of {@code mdbs} (by its default name) on Weir's adapter. */
    static Asset onWeirAdapter(Class<?>... mdbs) {
        String beans = Arrays.stream(mdbs).map(c -> """
                    <ejb>
                      <ejb-name>%s</ejb-name>
                      <mdb-resource-adapter>
                        <resource-adapter-mid>%s</resource-adapter-mid>
                      </mdb-resource-adapter>
                    </ejb>
                """.formatted(c.getSimpleName(), PayaraDomain.ADAPTER)).collect(Collectors.joining());
        return new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE glassfish-ejb-jar PUBLIC "-//GlassFish.org//DTD GlassFish Application Server 3.1 EJB 3.1//EN"
                        "http://glassfish.org/dtds/glassfish-ejb-jar_3_1-1.dtd">
                <glassfish-ejb-jar>
                  <enterprise-beans>
                %s  </enterprise-beans>
                </glassfish-ejb-jar>
                """.formatted(beans));
    }

    /** {@code WEB-INF/ejb-jar.xml}: the {@link Forwarder}'s factory looked up under Payara's name. */
    static Asset forwarderOnPayaraFactory() {
        return ejbJar(FORWARDER);
    }

    /** {@code WEB-INF/ejb-jar.xml}: activation properties of one MDB overridden (the annotation's values otherwise). */
    static Asset activationOverride(Class<?> mdb, Map<String, String> properties) {
        String props = properties.entrySet().stream().map(e -> """
                          <activation-config-property>
                            <activation-config-property-name>%s</activation-config-property-name>
                            <activation-config-property-value>%s</activation-config-property-value>
                          </activation-config-property>
                """.formatted(e.getKey(), e.getValue())).collect(Collectors.joining());
        return ejbJar("""
                    <message-driven>
                      <ejb-name>%s</ejb-name>
                      <activation-config>
                %s      </activation-config>
                    </message-driven>
                """.formatted(mdb.getSimpleName(), props));
    }

    private static final String FORWARDER = """
                <session>
                  <ejb-name>Forwarder</ejb-name>
                  <resource-ref>
                    <res-ref-name>io.weir.ra.it.app.Forwarder/factory</res-ref-name>
                    <res-type>jakarta.jms.ConnectionFactory</res-type>
                    <injection-target>
                      <injection-target-class>io.weir.ra.it.app.Forwarder</injection-target-class>
                      <injection-target-name>factory</injection-target-name>
                    </injection-target>
                    <lookup-name>%s</lookup-name>
                  </resource-ref>
                </session>
            """.formatted(PayaraNames.CONNECTION_FACTORY);

    private static Asset ejbJar(String beans) {
        return new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ejb-jar xmlns="https://jakarta.ee/xml/ns/jakartaee"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/ejb-jar_4_0.xsd"
                         version="4.0">
                  <enterprise-beans>
                %s  </enterprise-beans>
                </ejb-jar>
                """.formatted(beans));
    }
}
