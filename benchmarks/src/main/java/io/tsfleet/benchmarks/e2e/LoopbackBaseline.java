package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import io.tsfleet.testing.ServiceProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The raw loopback baseline: the same 596-byte exit events the broker sends, pushed through plain TCP sockets from
 * this process to a child JVM that only counts bytes. A {@link Shape} fixes what "the same batching" means: how many
 * connections, and how many bytes each socket write carries. The result is the ceiling the fleet is compared with: a
 * ratio of 1.0 would mean the fleet costs nothing beyond moving its bytes the way it moves them.
 *
 * <p>The sending sockets are set up as the broker's: {@code TCP_NODELAY} and a 128 KiB {@code SO_SNDBUF}. Both sides
 * are non-blocking NIO with at most {@link #THREADS} threads each (the broker's two I/O loops), so a
 * shape of 4,096 connections costs sockets, not threads. The senders go round the connections and give each one write
 * of the batch size per round, as the broker's loops give each connection with pending output its turn; a connection
 * whose socket buffer is full waits for {@code OP_WRITE}, and a round in which nothing could be written waits in
 * {@code select}. The receivers read whatever has arrived into a 256 KiB buffer.
 */
public final class LoopbackBaseline {
    /** The broker's drain buffer: the largest socket write it makes. */
    public static final int BULK_BATCH_BYTES = 256 * 1024;
    /** Sender and receiver threads (at most; never more than connections). */
    static final int THREADS = 2;
    /** The broker's default {@code SO_SNDBUF} ({@code tsfleet.emulator.broker.tcp-send-buffer-bytes}); its sockets also set TCP_NODELAY. */
    static final int SEND_BUFFER_BYTES = 128 * 1024;

    /**
     * How the bytes move.
     *
     * @param connections parallel TCP connections
     * @param batchBytes  bytes per socket write (whole events or not: the receiver counts bytes)
     */
    public record Shape(int connections, int batchBytes) {
        public Shape {
            if (connections < 1 || connections > 8192) throw new IllegalArgumentException("connections must be in 1..8192, not " + connections);
            if (batchBytes < 1 || batchBytes > BULK_BATCH_BYTES) throw new IllegalArgumentException("batch must be in 1.." + BULK_BATCH_BYTES + " bytes, not " + batchBytes);
        }

        /** Large writes over a few connections: the most the two cores can move. */
        public static Shape bulk(int connections) {
            return new Shape(connections, BULK_BATCH_BYTES);
        }

        /** The broker's batching as measured: its connections and its sent bytes per write (at least one byte). */
        public static Shape measured(int connections, double bytesPerWrite) {
            return new Shape(connections, (int) Math.max(1, Math.min(BULK_BATCH_BYTES, Math.round(bytesPerWrite))));
        }

        public double eventsPerWrite() {
            return batchBytes / (double) TaskstatsProtocol.EVENT_LENGTH;
        }

        public String describe() {
            return String.format(Locale.ROOT, "%d connection(s), %,d bytes (%.2f events) per write", connections, batchBytes, eventsPerWrite());
        }
    }

    private LoopbackBaseline() {
    }

    /** Measures events per second moved in the given shape for {@code duration}. */
    public static double eventsPerSecond(Shape shape, Duration duration) throws IOException, InterruptedException {
        int port;
        try (ServerSocket portProbe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = portProbe.getLocalPort();
        }
        Process receiver = new ProcessBuilder(ServiceProcess.childJvmCommand(LoopbackBaseline.class, List.of(),
                List.of(String.valueOf(port), String.valueOf(shape.connections())))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (!"READY".equals(ready)) throw new IOException("baseline receiver did not start: " + ready);
            List<SocketChannel> channels = connect(port, shape.connections());
            ByteBuffer events = eventBatch();
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            List<Thread> senders = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (List<SocketChannel> share : split(channels)) {
                senders.add(Thread.ofPlatform().name("baseline-sender").uncaughtExceptionHandler((t, e) -> failure.compareAndSet(null, e))
                        .start(() -> send(share, events, shape.batchBytes(), deadline)));
            }
            for (Thread t : senders) t.join();
            for (SocketChannel ch : channels) ch.close();
            if (failure.get() != null) throw new IOException("baseline sender failed", failure.get());
            String total = out.readLine();
            // until the receiver has read the last byte: what the socket buffers held at the deadline counts with its time
            double seconds = (System.nanoTime() - start) / 1e9;
            if (total == null || !total.startsWith("BYTES ")) throw new IOException("baseline receiver answered " + total);
            long bytes = Long.parseLong(total.substring(6).trim());
            return bytes / (double) TaskstatsProtocol.EVENT_LENGTH / seconds;
        } finally {
            receiver.destroy();
            receiver.waitFor();
        }
    }

    private static List<SocketChannel> connect(int port, int connections) throws IOException {
        List<SocketChannel> channels = new ArrayList<>(connections);
        try {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open();
                channels.add(ch);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);   // as the broker's: a small write goes out at once
                ch.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
                ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            return channels;
        } catch (IOException e) {
            for (SocketChannel ch : channels) ch.close();
            throw e;
        }
    }

    /** Round-robin shares of the channels, one per thread. */
    static <T> List<List<T>> split(List<T> all) {
        int threads = Math.min(THREADS, all.size());
        List<List<T>> shares = new ArrayList<>();
        for (int t = 0; t < threads; t++) shares.add(new ArrayList<>());
        for (int i = 0; i < all.size(); i++) shares.get(i % threads).add(all.get(i));
        return shares;
    }

    /** One sender thread: each round, one write of up to {@code batchBytes} to every connection that can take it. */
    private static void send(List<SocketChannel> channels, ByteBuffer events, int batchBytes, long deadline) {
        try (Selector selector = Selector.open()) {
            List<Writer> writers = new ArrayList<>(channels.size());
            for (SocketChannel ch : channels) {
                ch.configureBlocking(false);
                writers.add(new Writer(ch, ch.register(selector, 0), events.duplicate(), batchBytes));
            }
            while (System.nanoTime() < deadline) {
                boolean progress = false;
                for (Writer w : writers) progress |= w.writeOnce();
                if (!progress) {
                    selector.select(10);
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("baseline sender failed", e);
        }
    }

    /** A connection's position in the (cyclic) event bytes and what is left of its current batch. */
    private static final class Writer {
        private final SocketChannel channel;
        private final SelectionKey key;
        private final ByteBuffer events;
        private final int batchBytes;
        private int batchLeft;

        Writer(SocketChannel channel, SelectionKey key, ByteBuffer events, int batchBytes) {
            this.channel = channel;
            this.key = key;
            this.events = events;
            this.batchBytes = batchBytes;
        }

        /** Writes the rest of the current batch, or a new one; false when the socket took nothing. */
        boolean writeOnce() throws IOException {
            if (batchLeft == 0) {
                batchLeft = batchBytes;
                if (events.capacity() - events.position() < batchBytes) events.clear();   // a batch is one contiguous write
            }
            events.limit(events.position() + batchLeft);
            int n = channel.write(events);
            batchLeft -= n;
            int ops = n == 0 ? SelectionKey.OP_WRITE : 0;   // a full socket buffer: the rest of this batch goes first
            if (key.interestOps() != ops) key.interestOps(ops);
            return n > 0;
        }
    }

    /** Back-to-back exit events as the broker writes them: enough whole events for the largest batch. */
    static ByteBuffer eventBatch() {
        int n = BULK_BATCH_BYTES / TaskstatsProtocol.EVENT_LENGTH + 1;
        ByteBuffer b = ByteBuffer.allocateDirect(n * TaskstatsProtocol.EVENT_LENGTH);
        Taskstats stats = Taskstats.builder().comm("baseline").build();
        for (int i = 0; i < n; i++) TaskstatsEvent.exit(i, 1000 + i, stats).encode(31).writeTo(b);
        return b.flip();
    }

    /** Child process: accept {@code args[1]} connections on port {@code args[0]}, count bytes until all close. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Math.max(50, connections));
            System.out.println("READY");
            System.out.flush();
            List<SocketChannel> accepted = new ArrayList<>(connections);
            for (int i = 0; i < connections; i++) accepted.add(server.accept());
            AtomicLong total = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> readers = new ArrayList<>();
            for (List<SocketChannel> share : split(accepted)) {
                readers.add(Thread.ofPlatform().name("baseline-receiver").uncaughtExceptionHandler((t, e) -> failure.compareAndSet(null, e))
                        .start(() -> total.addAndGet(receive(share))));
            }
            for (Thread t : readers) t.join();
            System.out.println(failure.get() == null ? "BYTES " + total.get() : "FAILED " + failure.get());
            System.out.flush();
        }
    }

    /** One receiver thread: reads every connection of its share until all are closed; returns the bytes read. */
    private static long receive(List<SocketChannel> channels) {
        long bytes = 0;
        ByteBuffer buf = ByteBuffer.allocateDirect(BULK_BATCH_BYTES);
        try (Selector selector = Selector.open()) {
            for (SocketChannel ch : channels) {
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
            }
            int open = channels.size();
            while (open > 0) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    int n;
                    do {
                        buf.clear();
                        n = readQuietly(ch, buf);
                        if (n > 0) bytes += n;
                    } while (n == buf.capacity());
                    if (n < 0) {
                        key.cancel();
                        ch.close();
                        open--;
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException("baseline receiver failed", e);
        }
        return bytes;
    }

    /** A read; a reset connection counts as closed (-1). */
    private static int readQuietly(SocketChannel ch, ByteBuffer buf) {
        try {
            return ch.read(buf);
        } catch (IOException e) {
            return -1;
        }
    }
}
