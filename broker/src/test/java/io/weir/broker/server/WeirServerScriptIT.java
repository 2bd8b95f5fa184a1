package io.weir.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.weir.broker.log.LogFileNames;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's start command: bin/weir-server starts a broker and stops it cleanly on SIGTERM. */
class WeirServerScriptIT {
    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("bin/weir-server");

    @TempDir
    Path dir;

    private Process start(Path config) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), config.toString()).redirectErrorStream(true);
        pb.environment().put("WEIR_SKIP_BUILD", "1");
        pb.environment().put("WEIR_HEAP_OPTS", "-Xmx128m");
        return pb.start();
    }

    @Test
    void startsAndShutsDownCleanlyOnSigterm() throws Exception {
        Path logs = dir.resolve("logs");
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "broker.id=0\nlisteners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + logs + "\n");
        Process p = start(config);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean started = false;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.contains("Weir broker 0 started")) {
                    started = true;
                    break;
                }
            }
            assertThat(started).as("startup line in output:\n%s", seen).isTrue();
            assertThat(seen.toString()).contains(logs.toString());
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(logs.resolve(LogFileNames.CLEAN_SHUTDOWN_FILE)).exists();
    }

    @Test
    void brokenConfigurationStopsStartupNamingTheKey() throws Exception {
        Path config = dir.resolve("bad.properties");
        Files.writeString(config, "log.dirs=" + dir.resolve("logs") + "\nlog.segment.bytes=huge\n");
        Process p = start(config);
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(output).contains("log.segment.bytes");
        } finally {
            p.destroyForcibly();
        }
    }
}
