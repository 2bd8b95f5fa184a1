package io.weir.ra.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weir.ra.it.bad.BadSelectorMdb;
import io.weir.ra.it.bad.NoDestinationMdb;
import io.weir.ra.it.bad.UnknownTypeMdb;
import io.weir.ra.it.support.BrokerClient;
import io.weir.ra.it.support.WeirAdapterSetup;
import io.weir.ra.it.support.WeirBroker;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An MDB whose activation config is wrong fails its deployment with a message that names the property at fault, and
 * leaves nothing activated (no consumer joins the queue it names).
 */
@ExtendWith({WeirBroker.class, ArquillianExtension.class})
@ServerSetup(WeirAdapterSetup.class)
@RunAsClient
class BadActivationIT {

    @Deployment(name = "no-destination", managed = false, testable = false)
    static WebArchive noDestination() {
        return ShrinkWrap.create(WebArchive.class, "weir-it-no-destination.war").addClass(NoDestinationMdb.class);
    }

    @Deployment(name = "unknown-type", managed = false, testable = false)
    static WebArchive unknownType() {
        return ShrinkWrap.create(WebArchive.class, "weir-it-unknown-type.war")
                .addClass(UnknownTypeMdb.class);
    }

    @Deployment(name = "bad-selector", managed = false, testable = false)
    static WebArchive badSelector() {
        return ShrinkWrap.create(WebArchive.class, "weir-it-bad-selector.war").addClass(BadSelectorMdb.class);
    }

    @ArquillianResource
    private Deployer deployer;

    private final BrokerClient broker = new BrokerClient(WeirBroker.bootstrapServers());

    @Test
    void anMdbWithoutDestinationIsNotDeployed() {
        assertThatThrownBy(() -> deployer.deploy("no-destination")).hasStackTraceContaining("destination");
    }

    @Test
    void anUnknownDestinationTypeIsNotDeployed() {
        assertThatThrownBy(() -> deployer.deploy("unknown-type")).hasStackTraceContaining("destinationType");
    }

    @Test
    void anInvalidSelectorIsNotDeployedAndNothingConsumes() throws Exception {
        assertThatThrownBy(() -> deployer.deploy("bad-selector")).hasStackTraceContaining("messageSelector");
        assertThat(broker.queueConsumers(BadSelectorMdb.QUEUE)).isZero();
    }
}
