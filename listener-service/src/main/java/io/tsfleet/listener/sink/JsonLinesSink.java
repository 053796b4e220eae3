package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;

import java.io.IOException;
import java.nio.file.Path;

/**
 * JSON lines to a file that rotates by size ({@code tsfleet.listener.sink=jsonl:<path>}): one object per record, as
 * {@link JsonLineEncoder} describes. Options ({@code tsfleet.listener.sink-options.*}): {@code max-file-bytes}
 * (default 256 MiB), {@code max-files} (rotated files kept besides the active one, default 10).
 *
 * <p>On a full device or an I/O error, a record that cannot be written makes {@link #write} throw (the replica counts
 * it as lost at the sink); records already buffered are kept and written once the file takes them again, and the file
 * holds complete lines only ({@link RotatingFile}). Records still buffered when {@link #close} cannot write them are
 * reported in a {@link RecordsLostException}.
 */
public final class JsonLinesSink implements RecordSink {
    public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;
    public static final int DEFAULT_MAX_FILES = 10;

    private final JsonLineEncoder encoder;
    private final RotatingFile file;
    /** The CPU of each line the file still buffers, oldest first: what a failure at close loses. */
    private int[] bufferedCpus = new int[256];
    private RecordOrigin[] bufferedOrigins = new RecordOrigin[256];
    private int bufferedStart;
    private int bufferedCount;

    public JsonLinesSink(Path path, String replicaId, long maxFileBytes, int maxFiles) throws IOException {
        this.encoder = new JsonLineEncoder(replicaId);
        this.file = new RotatingFile(path, maxFileBytes, maxFiles, 256 * 1024);
    }

    @Override
    public void write(ExitRecordView record) throws IOException {
        encoder.encode(record);
        file.write(encoder.bytes(), 0, encoder.size());
        buffered(record.cpu(), record.origin());
        keepLastBuffered(file.bufferedLines());
    }

    /** A failed flush loses nothing: the lines stay buffered and are written once the file takes them again. */
    @Override
    public void flush() throws IOException {
        try {
            file.flush();
        } finally {
            keepLastBuffered(file.bufferedLines());
        }
    }

    /** Buffered lines that cannot be written at close are lost: {@link RecordsLostException} names their CPUs. */
    @Override
    public void close() throws IOException {
        try {
            file.close();
        } catch (RotatingFile.LinesLostException e) {
            int[] cpus = new int[Math.min(e.lines(), bufferedCount)];
            RecordOrigin[] origins = new RecordOrigin[cpus.length];
            for (int i = 0; i < cpus.length; i++) {
                int at = (bufferedStart + bufferedCount - cpus.length + i) % bufferedCpus.length;
                cpus[i] = bufferedCpus[at];
                origins[i] = bufferedOrigins[at];
            }
            bufferedCount = 0;
            throw new RecordsLostException(e.getMessage(), cpus, origins, e);
        }
    }

    private void buffered(int cpu, RecordOrigin origin) {
        if (bufferedCount == bufferedCpus.length) {
            int[] grown = new int[bufferedCpus.length * 2];
            RecordOrigin[] grownOrigins = new RecordOrigin[grown.length];
            for (int i = 0; i < bufferedCount; i++) {
                grown[i] = bufferedCpus[(bufferedStart + i) % bufferedCpus.length];
                grownOrigins[i] = bufferedOrigins[(bufferedStart + i) % bufferedCpus.length];
            }
            bufferedCpus = grown;
            bufferedOrigins = grownOrigins;
            bufferedStart = 0;
        }
        bufferedOrigins[(bufferedStart + bufferedCount) % bufferedCpus.length] = origin;
        bufferedCpus[(bufferedStart + bufferedCount) % bufferedCpus.length] = cpu;
        bufferedCount++;
    }

    private void keepLastBuffered(int lines) {
        if (lines >= bufferedCount) return;
        bufferedStart = (bufferedStart + bufferedCount - lines) % bufferedCpus.length;
        bufferedCount = lines;
    }

    /** How many times the file has rotated. */
    public long rotations() {
        return file.rotations();
    }

    @Override
    public String describe() {
        return "jsonl:" + file.path();
    }

    static final class Provider implements RecordSinkProvider {
        @Override
        public String scheme() {
            return "jsonl";
        }

        @Override
        public RecordSink open(String argument, SinkContext context) throws IOException {
            if (argument.isBlank()) throw new IllegalArgumentException("sink 'jsonl' needs a file: jsonl:<path>");
            long maxBytes = context.sizeOption("max-file-bytes", DEFAULT_MAX_FILE_BYTES, 4096);
            long maxFiles = context.longOption("max-files", DEFAULT_MAX_FILES, 1);
            if (maxFiles > 10_000) throw new IllegalArgumentException("sink option max-files=" + maxFiles + " is above 10000");
            return new JsonLinesSink(Path.of(argument.trim()), context.replicaId(), maxBytes, (int) maxFiles);
        }
    }
}
