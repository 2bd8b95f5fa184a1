package io.weir.broker.network;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects the lines the broker logs (slf4j-simple writes to {@code System.err}, looked up at each
 * call), still passing them on. Installed once per JVM and shared: tests run concurrently, so each
 * looks only for lines naming its own connection.
 */
public final class LogCapture {
    private static LogCapture instance;

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

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
            original.write(b);
            collect((byte) b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                collect(b[i]);
            }
        }

        private void collect(byte b) {
            if (b == '\n') {
                capture.lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }

        @Override
        public void flush() {
            original.flush();
        }
    }
}
