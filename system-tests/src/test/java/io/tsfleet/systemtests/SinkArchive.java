package io.tsfleet.systemtests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Reads the lines of the single file in a tar stream (what {@code docker cp} of one file returns), streaming. */
final class SinkArchive {
    private SinkArchive() {
    }

    static void lines(InputStream tar, Consumer<String> lines) throws IOException {
        byte[] header = new byte[512];
        if (tar.readNBytes(header, 0, 512) < 512) throw new IOException("empty archive");
        String sizeField = new String(header, 124, 12, StandardCharsets.US_ASCII).trim().replace("\0", "");
        long size = Long.parseLong(sizeField.isEmpty() ? "0" : sizeField, 8);
        InputStream body = new BoundedInputStream(tar, size);
        BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16);
        String line;
        while ((line = r.readLine()) != null) {
            if (!line.isBlank()) lines.accept(line);
        }
    }

    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }
}
