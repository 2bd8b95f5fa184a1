package io.weir.ra.it.payara;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Payara's own command line, {@code asadmin}, run as an operator runs it: {@code java -jar
 * glassfish/lib/client/appserver-cli.jar} of the unpacked distribution (the launcher scripts may have lost their
 * execute bit in the unpacking), on this JVM's Java. Each command's output goes to a file (a started domain keeps the
 * launcher's descriptors, so a pipe would never close) and into the exception of a command that fails.
 */
final class Asadmin {

    private static final long TIMEOUT_MINUTES = 10;
    private static final Pattern FAILED = Pattern.compile("(?m)^(Command \\S+ failed|remote failure:)");

    private final Path home;
    private final Path workDir;
    private final List<String> remote;

    private Asadmin(Path home, Path workDir, List<String> remote) {
        this.home = home;
        this.workDir = workDir;
        this.remote = remote;
    }

    /** Local commands ({@code create-domain}, {@code start-domain}, ...); output files go to {@code workDir}. */
    static Asadmin local(Path home, Path workDir) {
        return new Asadmin(home, workDir, List.of());
    }

    /** The same, talking to the domain administration server on {@code 127.0.0.1:adminPort}. */
    Asadmin remote(int adminPort) {
        return new Asadmin(home, workDir, List.of("--host", "127.0.0.1", "--port", String.valueOf(adminPort)));
    }

    /**
     * Runs one command (non-interactive, its options and operands in {@code args}).
     *
     * @return its output
     * @throws IllegalStateException if it fails or does not end within the timeout, with its output
     */
    String run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(home.resolve("glassfish/lib/client/appserver-cli.jar").toString());
        command.addAll(remote);
        command.add("--interactive=false");
        command.addAll(List.of(args));
        try {
            Files.createDirectories(workDir);
            Path output = Files.createTempFile(workDir, "asadmin-" + args[0] + "-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            builder.environment().put("AS_JAVA", System.getProperty("java.home"));
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("asadmin " + String.join(" ", args) + " did not end within "
                        + TIMEOUT_MINUTES + " minutes; output so far:\n" + read(output));
            }
            String text = read(output);
            // multimode ends with 0 even when one of its commands failed: each failure prints "Command X failed."
            if (process.exitValue() != 0 || FAILED.matcher(text).find()) {
                throw new IllegalStateException("asadmin " + String.join(" ", args) + " failed (exit "
                        + process.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("Could not run asadmin " + String.join(" ", args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running asadmin " + String.join(" ", args), e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
