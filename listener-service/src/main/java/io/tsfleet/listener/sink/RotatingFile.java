package io.tsfleet.listener.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only file that rotates by size, logrotate style: when a write would take the active file past
 * {@code maxBytes}, the file is synced and closed, {@code path.1 .. path.(keep-1)} shift up by one (the oldest beyond
 * {@code keep} rotated files is deleted), the active file becomes {@code path.1}, and a new active file is opened.
 * A write is never split across files. Writes are buffered; {@link #flush} hands them to the OS, {@link #close} and
 * rotation also {@code fsync}. An existing file is appended to.
 */
final class RotatingFile implements AutoCloseable {
    private final Path path;
    private final long maxBytes;
    private final int keep;
    private final ByteBuffer buffer;
    private FileChannel channel;
    private long size;
    private long rotations;

    RotatingFile(Path path, long maxBytes, int keep, int bufferBytes) throws IOException {
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes < 1");
        if (keep < 1) throw new IllegalArgumentException("keep < 1");
        this.path = path.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.buffer = ByteBuffer.allocateDirect(bufferBytes);
        Path parent = this.path.getParent();
        if (parent != null) Files.createDirectories(parent);
        open();
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        if (size > 0 && size + length > maxBytes) rotate();
        if (length > buffer.remaining()) drain();
        if (length > buffer.capacity()) {
            ByteBuffer direct = ByteBuffer.wrap(bytes, offset, length);
            while (direct.hasRemaining()) channel.write(direct);
        } else {
            buffer.put(bytes, offset, length);
        }
        size += length;
    }

    void flush() throws IOException {
        drain();
    }

    long rotations() {
        return rotations;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (channel == null) return;
        drain();
        channel.force(false);
        channel.close();
        channel = null;
    }

    private void rotate() throws IOException {
        close();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            Path from = rotated(i);
            if (Files.exists(from)) Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        rotations++;
        open();
    }

    private Path rotated(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }

    private void open() throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) channel.write(buffer);
        buffer.clear();
    }
}
