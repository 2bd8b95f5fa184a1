package io.weir.ra.it.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.ejb.EJB;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The managed WildFly of this module starts, deploys a WAR with a servlet and a session bean, and serves
 * it on its shifted loopback port: the ground every resource adapter test stands on.
 */
@ExtendWith(ArquillianExtension.class)
class ServerSmokeIT {

    @Deployment
    static WebArchive app() {
        return ShrinkWrap.create(WebArchive.class, "smoke.war").addClasses(Greeter.class, GreeterServlet.class);
    }

    @EJB
    private Greeter greeter;

    /** Runs inside the server, where only JUnit travels with the test class (AssertJ stays on the client). */
    @Test
    void beanAnswersInsideTheServer() {
        assertEquals("hello weir", greeter.greet("weir"));
    }

    @Test
    @RunAsClient
    void servletAnswersOverHttp(@ArquillianResource URL base) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "greet?name=weir")).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello weir");
        assertThat(base.getPort()).isEqualTo(8080 + Integer.getInteger("weir.it.wildfly.portOffset"));
    }
}
