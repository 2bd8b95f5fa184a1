package io.weir.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layering of ARCHITECTURE.md honest by scanning the imports of the broker's sources:
 * a package imports only packages below it; {@code log} imports neither Netty nor Curator/ZooKeeper;
 * only {@code zk} imports Curator/ZooKeeper.
 */
class LayeringTest {
    /** Top to bottom. */
    private static final List<String> LAYERS = List.of("server", "api", "group", "share", "txn", "replication", "controller",
            "zk", "auth", "quota", "network", "log", "common");
    private static final Path SOURCES = Path.of("src/main/java/io/weir/broker");
    private static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void layersImportOnlyLayersBelowAndLibrariesWhereAllowed() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String layer = SOURCES.relativize(file).getName(0).toString();
                if (!LAYERS.contains(layer)) {
                    violations.add(file + " is in package '" + layer + "', which is not a layer of ARCHITECTURE.md");
                    continue;
                }
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    String imported = m.group(2);
                    String problem = check(layer, imported);
                    if (problem != null) {
                        violations.add(file + " imports " + imported + ": " + problem);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    private static String check(String layer, String imported) {
        boolean zookeeper = imported.startsWith("org.apache.curator") || imported.startsWith("org.apache.zookeeper");
        if (zookeeper && !layer.equals("zk")) {
            return "only the zk package may use Curator/ZooKeeper";
        }
        if (layer.equals("log") && imported.startsWith("io.netty")) {
            return "storage is plain NIO";
        }
        if (imported.startsWith("io.weir.broker.")) {
            String target = imported.substring("io.weir.broker.".length()).split("\\.")[0];
            int from = LAYERS.indexOf(layer);
            int to = LAYERS.indexOf(target);
            if (to >= 0 && to < from) {
                return "layer '" + layer + "' may not import the higher layer '" + target + "'";
            }
        }
        return null;
    }
}
