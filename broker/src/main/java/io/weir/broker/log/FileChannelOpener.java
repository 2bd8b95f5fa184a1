package io.weir.broker.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens the channel of a segment's .log file. The storage engine takes it as a parameter so that
 * fault tests can hand it a channel that fails like a full disk; production uses {@link #DEFAULT}.
 */
@FunctionalInterface
public interface FileChannelOpener {

    FileChannel open(Path file) throws IOException;

    FileChannelOpener DEFAULT = file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
}
