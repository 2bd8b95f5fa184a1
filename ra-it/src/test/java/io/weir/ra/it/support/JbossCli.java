package io.weir.ra.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the server's own {@code bin/jboss-cli.sh} against the running server, as an operator would, and fails with
 * the CLI's output when a command fails. Stateless.
 */
final class JbossCli {

    private static final long TIMEOUT_MINUTES = 5;

    private JbossCli() {
    }

    /**
     * Runs {@code script} (a CLI file) on the server whose management interface is {@code address:port}.
     *
     * @return what the CLI printed
     * @throws IllegalStateException with the CLI's output when it exits with an error or hangs
     */
    static String runScript(Path jbossHome, String address, int port, Path script) throws IOException, InterruptedException {
        Path cli = jbossHome.resolve("bin").resolve("jboss-cli.sh");
        ProcessBuilder pb = new ProcessBuilder(List.of(cli.toString(), "--connect",
                "--controller=remote+http://" + address + ":" + port, "--file=" + script))
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JBOSS_HOME", jbossHome.toString());
        Path output = Files.createTempFile("weir-it-cli", ".log");
        pb.redirectOutput(output.toFile());
        Process process = pb.start();
        try {
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("jboss-cli did not finish " + script + " within " + TIMEOUT_MINUTES
                        + " minutes:\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("jboss-cli failed (exit " + process.exitValue() + ") on " + script
                        + ":\n" + printed);
            }
            return printed;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
