package io.tsfleet.listener.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only file of lines that rotates by size, logrotate style: when a write would take the active file past
 * {@code maxBytes}, the file is synced and closed, the rotated files shift up by one ({@code path.1} becomes
 * {@code path.2}, ...; the oldest beyond {@code keep} gives way), the active file becomes {@code path.1}, and a new
 * active file is opened. A line is never split across files. Writes are buffered; {@link #flush} hands them to the
 * OS, {@link #close} and rotation also {@code fsync}. An existing file is appended to.
 *
 * <p>Failures (a full device, an I/O error) lose as little as possible, say exactly what they lost, and leave only
 * complete lines behind:
 * <ul>
 *   <li>A failed hand-over to the OS keeps the buffered lines and tries them again at the next flush or write; the
 *       part of them the OS took before the failure is cut off again ({@code truncate} back to the last complete
 *       line), so no half line stays in the file and no line is written twice.</li>
 *   <li>A {@link #write} that cannot be done (the buffer is full of lines that cannot be handed over, or the rotation
 *       before it failed) throws: that line, and only that one, is not written.</li>
 *   <li>Rotation renames each file into a free slot only ({@code .N-1 -> .N} after checking that {@code .N} is free);
 *       only when all {@code keep} slots are taken does the rename of the next-oldest replace the oldest. A rotation
 *       that fails half way is resumed, not repeated, by the next write: it never deletes a file again.</li>
 *   <li>A file closed under a failure (a failed rotation, an interrupted write) is reopened by the next write.</li>
 *   <li>{@link #close} that cannot hand over the buffered lines throws {@link LinesLostException} with their number.</li>
 * </ul>
 */
final class RotatingFile implements AutoCloseable {
    private final Path path;
    private final long maxBytes;
    private final int keep;
    private final ByteBuffer buffer;
    /** Null when closed by a rotation or a failure: reopened on demand. */
    private FileChannel channel;
    /** Bytes of the active file that hold complete lines only (everything beyond is a failed write, cut off). */
    private long committed;
    /** A failed write may have left a partial line beyond {@link #committed} that could not be cut off yet. */
    private boolean repair;
    private int bufferedLines;
    private long rotations;
    private boolean closed;

    RotatingFile(Path path, long maxBytes, int keep, int bufferBytes) throws IOException {
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes < 1");
        if (keep < 1) throw new IllegalArgumentException("keep < 1");
        this.path = path.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.buffer = ByteBuffer.allocateDirect(bufferBytes);
        Path parent = this.path.getParent();
        if (parent != null) Files.createDirectories(parent);
        ensureOpen();
    }

    /**
     * Appends one complete line. Throws when the line cannot be written; it is then not in the file at all, and lines
     * buffered earlier are kept (they are written once the file takes them again).
     */
    void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed) throw new IOException("file " + path + " is closed");
        long size = committed + buffer.position();
        if (size > 0 && size + length > maxBytes) rotate();
        if (length > buffer.remaining()) drain();
        if (length > buffer.capacity()) {
            writeDirect(bytes, offset, length);
        } else {
            buffer.put(bytes, offset, length);
            bufferedLines++;
        }
    }

    /** Hands the buffered lines to the OS. On failure they stay buffered (nothing is lost yet). */
    void flush() throws IOException {
        if (closed) return;
        drain();
    }

    /** Lines accepted by {@link #write} that have not been handed to the OS yet: what a failure at close would lose. */
    int bufferedLines() {
        return bufferedLines;
    }

    long rotations() {
        return rotations;
    }

    Path path() {
        return path;
    }

    /** Hands everything to the OS, syncs and closes; the buffered lines that cannot be written are counted in the exception. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            drain();
            if (channel != null) channel.force(false);
        } catch (IOException e) {
            int lost = bufferedLines;
            buffer.clear();
            bufferedLines = 0;
            closeChannelQuietly();
            throw new LinesLostException(lost, path, e);
        }
        closeChannelQuietly();
    }

    private void rotate() throws IOException {
        drain(); // the buffered lines belong to the file being rotated
        if (channel != null) {
            channel.force(false);
            channel.close();
            channel = null;
        }
        if (committed > 0 || Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (freeFirstSlot()) Files.move(path, rotated(1)); // .1 is free: fails rather than replace a file
            else Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING); // keep=1: the one rotated file gives way
            rotations++;
        }
        committed = 0;
        repair = false;
        ensureOpen();
    }

    /**
     * Makes {@code path.1} free by shifting the rotated files up to the first free slot; false when that is not
     * possible because {@code keep} is 1. Every rename goes into a free slot (a rename onto an existing file fails),
     * except when all {@code keep} slots are taken: then the next-oldest replaces the oldest, the only rename that
     * removes a file. A shift that failed half way left a free slot, so doing it again deletes nothing.
     */
    private boolean freeFirstSlot() throws IOException {
        int free = 1;
        while (free <= keep && Files.exists(rotated(free), LinkOption.NOFOLLOW_LINKS)) free++;
        if (free == 1) return true;
        if (free > keep) {
            if (keep == 1) return false;
            Files.move(rotated(keep - 1), rotated(keep), StandardCopyOption.REPLACE_EXISTING);
            free = keep - 1;
        }
        for (int i = free; i > 1; i--) Files.move(rotated(i - 1), rotated(i));
        return true;
    }

    private Path rotated(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }

    private void ensureOpen() throws IOException {
        if (channel != null && channel.isOpen()) return;
        channel = null;
        FileChannel c = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        long size = c.size();
        if (repair && size > committed) {
            try {
                c.truncate(committed);
                repair = false;
            } catch (IOException e) {
                c.close();
                throw e;
            }
        } else {
            committed = size; // a fresh open: the file as it is (after a repair that was not needed, or another file)
            repair = false;
        }
        channel = c;
    }

    private void drain() throws IOException {
        if (buffer.position() == 0 && !repair) return;
        ensureOpen();
        if (repair) cutOff();
        ByteBuffer out = buffer.duplicate().flip();
        try {
            while (out.hasRemaining()) channel.write(out);
        } catch (IOException e) {
            failed();
            throw e;
        }
        committed += buffer.position();
        buffer.clear();
        bufferedLines = 0;
    }

    private void writeDirect(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        if (repair) cutOff();
        ByteBuffer direct = ByteBuffer.wrap(bytes, offset, length);
        try {
            while (direct.hasRemaining()) channel.write(direct);
        } catch (IOException e) {
            failed();
            throw e;
        }
        committed += length;
    }

    /** A write failed after the OS may have taken part of it: cut the file back to its last complete line. */
    private void failed() {
        repair = true;
        if (channel == null || !channel.isOpen()) {
            channel = null;
            return;
        }
        try {
            cutOff();
        } catch (IOException e) {
            // stays marked: cut off before the next write, or after reopening
        }
    }

    private void cutOff() throws IOException {
        if (channel.size() > committed) channel.truncate(committed);
        repair = false;
    }

    private void closeChannelQuietly() {
        FileChannel c = channel;
        channel = null;
        if (c == null) return;
        try {
            c.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    /** {@link #close} could not write {@link #lines()} buffered lines: they are lost. */
    static final class LinesLostException extends IOException {
        private final int lines;

        LinesLostException(int lines, Path path, IOException cause) {
            super(lines + " buffered lines could not be written to " + path + ": " + cause.getMessage(), cause);
            this.lines = lines;
        }

        int lines() {
            return lines;
        }
    }
}
