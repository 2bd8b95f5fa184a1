package io.weir.tck;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** Says, once per build, whether the TCK runs: the kit is not in every local repository. */
class TckPresenceTest {

    @Test
    void kitPresence() {
        Path jar = Path.of(System.getProperty("user.home"), ".m2", "repository", "jakarta", "tck", "jms-tck",
                "11.0.x-weir", "jms-tck-11.0.x-weir.jar");
        Assumptions.assumeTrue(Files.exists(jar), "jakarta.tck:jms-tck is not in the local Maven repository ("
                + jar + "): the TCK subset is skipped; tck-tests/build-tck.sh builds and installs it");
        System.out.println("[weir-tck] TCK kit present: " + jar + " (quick subset in this build, all with -Ptck)");
    }
}
