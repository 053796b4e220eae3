package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The raw loopback baseline: the same 596-byte exit events the broker sends, pushed through plain TCP sockets from
 * this process to a child JVM, written in batches of the same size as the broker's writes ({@link #BATCH_BYTES}).
 * The child only counts bytes. The result is the ceiling the fleet is compared with: a ratio of 1.0 would mean the
 * fleet costs nothing beyond moving the bytes.
 */
public final class LoopbackBaseline {
    /** The broker's drain buffer, and so the size of its socket writes. */
    public static final int BATCH_BYTES = 256 * 1024;

    private LoopbackBaseline() {
    }

    /** Measures events per second over {@code connections} parallel connections for {@code duration}. */
    public static double eventsPerSecond(int connections, Duration duration) throws IOException, InterruptedException {
        try (ServerSocket portProbe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = portProbe.getLocalPort();
            portProbe.close();
            Process receiver = ChildJvm.start(LoopbackBaseline.class, String.valueOf(port), String.valueOf(connections));
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
                String ready = out.readLine();
                if (!"READY".equals(ready)) throw new IOException("baseline receiver did not start: " + ready);
                ByteBuffer batch = eventBatch();
                List<Thread> senders = new ArrayList<>();
                long deadline = System.nanoTime() + duration.toNanos();
                for (int i = 0; i < connections; i++) {
                    senders.add(Thread.ofPlatform().start(() -> send(port, batch.duplicate(), deadline)));
                }
                for (Thread t : senders) t.join();
                String total = out.readLine();
                if (total == null || !total.startsWith("BYTES ")) throw new IOException("baseline receiver answered " + total);
                long bytes = Long.parseLong(total.substring(6).trim());
                return bytes / (double) TaskstatsProtocol.EVENT_LENGTH / (duration.toNanos() / 1e9);
            } finally {
                receiver.destroy();
                receiver.waitFor();
            }
        }
    }

    private static void send(int port, ByteBuffer batch, long deadline) {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            while (System.nanoTime() < deadline) {
                batch.clear();
                while (batch.hasRemaining()) ch.write(batch);
            }
        } catch (IOException e) {
            throw new IllegalStateException("baseline sender failed", e);
        }
    }

    /** A batch of back-to-back exit events, as the broker writes them. */
    static ByteBuffer eventBatch() {
        int n = BATCH_BYTES / TaskstatsProtocol.EVENT_LENGTH;
        ByteBuffer b = ByteBuffer.allocateDirect(n * TaskstatsProtocol.EVENT_LENGTH);
        Taskstats stats = Taskstats.builder().comm("baseline").build();
        for (int i = 0; i < n; i++) TaskstatsEvent.exit(i, 1000 + i, stats).encode(31).writeTo(b);
        return b.flip();
    }

    /** Child process: accept {@code args[1]} connections on port {@code args[0]}, count bytes until all close. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), connections);
            System.out.println("READY");
            System.out.flush();
            List<Thread> readers = new ArrayList<>();
            long[] counts = new long[connections];
            for (int i = 0; i < connections; i++) {
                var socket = server.accept();
                int slot = i;
                readers.add(Thread.ofPlatform().start(() -> {
                    try (var in = socket.getInputStream()) {
                        byte[] buf = new byte[BATCH_BYTES];
                        int n;
                        while ((n = in.read(buf)) > 0) counts[slot] += n;
                    } catch (IOException ignored) {
                        // the sender closed the connection
                    }
                }));
            }
            for (Thread t : readers) t.join();
            long total = 0;
            for (long c : counts) total += c;
            System.out.println("BYTES " + total);
            System.out.flush();
        }
    }

    /** Starts {@code main} of a class in a child JVM with this JVM's class path. */
    static final class ChildJvm {
        static Process start(Class<?> main, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(main.getName());
            cmd.addAll(List.of(args));
            return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }
    }
}
