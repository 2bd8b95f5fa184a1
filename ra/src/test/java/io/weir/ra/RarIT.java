package io.weir.ra;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaged .rar (after {@code package}): ra.xml, the adapter's and provider's jars and the provider's run-time
 * dependencies, and nothing else (no Jakarta API the server provides, no broker, no Netty).
 */
class RarIT {

    private static Path rar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> rars = files.filter(p -> p.getFileName().toString().matches("weir-ra-.*\\.rar")).toList();
            assertThat(rars).as("target/weir-ra-<version>.rar").hasSize(1);
            return rars.get(0);
        }
    }

    @Test
    void holdsTheAdapterAndExactlyTheProvidersRuntimeJars() throws IOException {
        // a -Dtest pattern can pull this class into the unit-test phase, before the .rar is built
        assumeTrue(Boolean.getBoolean("weir.ra.packaged"), "runs under failsafe, after package");
        try (ZipFile zip = new ZipFile(rar().toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("META-INF/ra.xml");
            List<String> jars = names.stream().filter(n -> n.endsWith(".jar"))
                    .map(n -> n.replaceAll("-[0-9][^/]*\\.jar$", "")).sorted().toList();
            assertThat(jars).containsExactly("kafka-clients", "lz4-java", "slf4j-api", "slf4j-jdk14", "snappy-java", "weir-jms", "weir-ra",
                    "zstd-jni");
            String raXml = new String(zip.getInputStream(zip.getEntry("META-INF/ra.xml")).readAllBytes());
            assertThat(raXml).contains("xmlns=\"https://jakarta.ee/xml/ns/jakartaee\"").contains("version=\"2.1\"");
        }
    }
}
