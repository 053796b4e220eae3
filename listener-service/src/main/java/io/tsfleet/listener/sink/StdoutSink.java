package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * JSON lines on the process's standard output ({@code tsfleet.listener.sink=stdout}, no argument), for the cluster's
 * log collector: exactly the line {@link JsonLineEncoder} makes per record, gathered in a buffer and written to file
 * descriptor 1 in big chunks (when the buffer is full and on {@link #flush}, which the writer calls whenever its queue
 * runs empty), never line by line. The application's own logs then go to standard error ({@code ConsoleLogTarget}), so
 * standard output carries records only.
 *
 * <p>A write that fails (the reading end of the pipe closed, {@code EPIPE}) loses the lines not yet written, and only
 * those: the bytes the OS took before the failure are complete lines up to a point, and the sink throws
 * {@link RecordsLostException} naming the CPU and origin of every line after it (a line the OS took only in part is
 * counted lost). Nothing is retried: the next records are buffered and written again, each failure counted the same way.
 */
public final class StdoutSink implements RecordSink {
    public static final int DEFAULT_BUFFER_BYTES = 256 * 1024;

    private final JsonLineEncoder encoder;
    private final WritableByteChannel out;
    private final ByteBuffer buffer;
    /** Of each buffered line: the CPU, the origin and the end of the line in {@link #buffer}. */
    private int[] cpus = new int[1024];
    private RecordOrigin[] origins = new RecordOrigin[1024];
    private int[] ends = new int[1024];
    private int lines;

    public StdoutSink(WritableByteChannel out, String replicaId, int bufferBytes) {
        this.encoder = new JsonLineEncoder(replicaId);
        this.out = out;
        this.buffer = ByteBuffer.allocateDirect(bufferBytes);
    }

    /** The process's file descriptor 1, not closed by the sink. */
    static WritableByteChannel standardOutput() {
        return new FileOutputStream(FileDescriptor.out).getChannel();
    }

    @Override
    public void write(ExitRecordView record) throws IOException {
        encoder.encode(record);
        int length = encoder.size();
        if (length > buffer.remaining()) {
            try {
                drain();
            } catch (RecordsLostException e) {
                throw withThisRecord(e, record);
            }
        }
        if (length > buffer.capacity()) { // never for a record (a line is at most a few KB), but complete all the same
            ByteBuffer direct = ByteBuffer.wrap(encoder.bytes(), 0, length);
            try {
                while (direct.hasRemaining()) out.write(direct);
            } catch (IOException e) {
                throw new RecordsLostException("stdout: " + e.getMessage(), new int[]{record.cpu()}, new RecordOrigin[]{record.origin()}, e);
            }
            return;
        }
        buffer.put(encoder.bytes(), 0, length);
        remember(record.cpu(), record.origin(), buffer.position());
    }

    @Override
    public void flush() throws IOException {
        drain();
    }

    /** Writes what is buffered; file descriptor 1 stays open (the JVM and the logs may still use it). */
    @Override
    public void close() throws IOException {
        drain();
    }

    @Override
    public String describe() {
        return "stdout";
    }

    private void drain() throws IOException {
        if (lines == 0) return;
        ByteBuffer pending = buffer.duplicate().flip();
        try {
            while (pending.hasRemaining()) out.write(pending);
        } catch (IOException e) {
            int written = pending.position();
            int first = 0;
            while (first < lines && ends[first] <= written) first++;
            int[] lostCpus = Arrays.copyOfRange(cpus, first, lines);
            RecordOrigin[] lostOrigins = Arrays.copyOfRange(origins, first, lines);
            forget();
            throw new RecordsLostException(lostCpus.length + " records could not be written to stdout: " + e.getMessage(), lostCpus, lostOrigins, e);
        }
        forget();
    }

    private void forget() {
        buffer.clear();
        Arrays.fill(origins, 0, lines, null);
        lines = 0;
    }

    private void remember(int cpu, RecordOrigin origin, int end) {
        if (lines == cpus.length) {
            cpus = Arrays.copyOf(cpus, lines * 2);
            origins = Arrays.copyOf(origins, lines * 2);
            ends = Arrays.copyOf(ends, lines * 2);
        }
        cpus[lines] = cpu;
        origins[lines] = origin;
        ends[lines] = end;
        lines++;
    }

    /** The record at hand is not written either: it is lost with the buffered ones. */
    private static RecordsLostException withThisRecord(RecordsLostException e, ExitRecordView record) {
        int[] c = Arrays.copyOf(e.cpus(), e.count() + 1);
        RecordOrigin[] o = Arrays.copyOf(e.origins(), e.count() + 1);
        c[e.count()] = record.cpu();
        o[e.count()] = record.origin();
        return new RecordsLostException((e.count() + 1) + " records could not be written to stdout", c, o, e.getCause());
    }

    static final class Provider implements RecordSinkProvider {
        @Override
        public String scheme() {
            return "stdout";
        }

        @Override
        public RecordSink open(String argument, SinkContext context) {
            if (!argument.isBlank()) throw new IllegalArgumentException("sink 'stdout' takes no argument, got '" + argument + "'");
            long bufferBytes = context.sizeOption("buffer", DEFAULT_BUFFER_BYTES, 4096);
            if (bufferBytes > 64L * 1024 * 1024) throw new IllegalArgumentException("sink option buffer=" + bufferBytes + " is above 64MB");
            return new StdoutSink(standardOutput(), context.replicaId(), (int) bufferBytes);
        }
    }
}
