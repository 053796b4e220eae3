package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;

import java.io.IOException;
import java.nio.file.Path;

/**
 * JSON lines to a file that rotates by size ({@code tsfleet.listener.sink=jsonl:<path>}): one object per record, as
 * {@link JsonLineEncoder} describes. Options ({@code tsfleet.listener.sink-options.*}): {@code max-file-bytes}
 * (default 256 MiB), {@code max-files} (rotated files kept besides the active one, default 10).
 */
public final class JsonLinesSink implements RecordSink {
    public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;
    public static final int DEFAULT_MAX_FILES = 10;

    private final JsonLineEncoder encoder;
    private final RotatingFile file;

    public JsonLinesSink(Path path, String replicaId, long maxFileBytes, int maxFiles) throws IOException {
        this.encoder = new JsonLineEncoder(replicaId);
        this.file = new RotatingFile(path, maxFileBytes, maxFiles, 256 * 1024);
    }

    @Override
    public void write(ExitRecordView record) throws IOException {
        encoder.encode(record);
        file.write(encoder.bytes(), 0, encoder.size());
    }

    @Override
    public void flush() throws IOException {
        file.flush();
    }

    @Override
    public void close() throws IOException {
        file.close();
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
            long maxBytes = context.longOption("max-file-bytes", DEFAULT_MAX_FILE_BYTES, 4096);
            long maxFiles = context.longOption("max-files", DEFAULT_MAX_FILES, 1);
            if (maxFiles > 10_000) throw new IllegalArgumentException("sink option max-files=" + maxFiles + " is above 10000");
            return new JsonLinesSink(Path.of(argument.trim()), context.replicaId(), maxBytes, (int) maxFiles);
        }
    }
}
