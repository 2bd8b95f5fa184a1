package io.weir.broker.network;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Collects the lines the broker logs (slf4j-simple writes to {@code System.err}, looked up at each
 * call), passing them on unless muted. Installed once per JVM and shared: tests run concurrently, so
 * each looks only for lines naming its own connection.
 */
public final class LogCapture {
    private static LogCapture instance;

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final List<Pattern> muted = new CopyOnWriteArrayList<>();

    private LogCapture() {
    }

    public static synchronized LogCapture install() {
        if (instance == null) {
            LogCapture capture = new LogCapture();
            PrintStream original = System.err;
            System.setErr(new PrintStream(new LineSplitter(capture, original), true, StandardCharsets.UTF_8));
            instance = capture;
        }
        return instance;
    }

    /** Still collects, but no longer prints, lines matching {@code pattern} (thousands of expected ones). */
    public void mute(Pattern pattern) {
        muted.add(pattern);
    }

    /** How many lines were captured so far: a mark for {@link #linesContainingSince}. */
    public int mark() {
        return lines.size();
    }

    /**
     * Captured lines containing {@code text} after {@code mark}: a client address names one connection only
     * while its ephemeral port is not reused, so tests look only at lines logged since their own start.
     */
    public List<String> linesContainingSince(int mark, String text) {
        return lines.stream().skip(mark).filter(l -> l.contains(text)).toList();
    }

    /** Captured lines containing {@code text}. */
    public List<String> linesContaining(String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    private static final class LineSplitter extends java.io.OutputStream {
        private final LogCapture capture;
        private final PrintStream original;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineSplitter(LogCapture capture, PrintStream original) {
            this.capture = capture;
            this.original = original;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                capture.lines.add(text);
                if (capture.muted.stream().noneMatch(p -> p.matcher(text).find())) {
                    original.write(line.toByteArray(), 0, line.size());
                    original.write('\n');
                }
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public synchronized void flush() {
            original.flush();
        }
    }
}
