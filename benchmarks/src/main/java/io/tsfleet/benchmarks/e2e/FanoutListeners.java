package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.ServiceProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * L raw listeners ({@link RawListener}, one reader thread each) in a child JVM of their own, so that their CPU time is
 * measured apart from the harness and the emulator. The parent talks to the child over its stdin/stdout, one line
 * each way:
 *
 * <pre>
 *   child:  READY &lt;rcvbuf&gt; &lt;port id&gt;,&lt;port id&gt;,...    (or ERROR &lt;message&gt;)
 *   parent: COUNT
 *   child:  COUNT &lt;events&gt; &lt;overruns&gt; &lt;other&gt; &lt;bytes&gt; &lt;failed readers&gt;   (sums over the listeners)
 * </pre>
 *
 * The child ends when its stdin closes (the parent is gone or {@link Child#close()}).
 */
public final class FanoutListeners {
    private FanoutListeners() {
    }

    /** The counters of all listeners at one moment; {@code nanos} is the parent's clock at the middle of the query. */
    public record Counts(long nanos, long events, long overruns, long other, long bytes, int failed) {
        public Counts minus(Counts earlier) {
            return new Counts(nanos - earlier.nanos, events - earlier.events, overruns - earlier.overruns, other - earlier.other,
                    bytes - earlier.bytes, failed);
        }

        static Counts parse(String line, long nanos) throws IOException {
            String[] f = line == null ? new String[0] : line.trim().split(" ");
            if (f.length != 6 || !f[0].equals("COUNT")) throw new IOException("the listeners answered '" + line + "' to COUNT");
            return new Counts(nanos, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), Integer.parseInt(f[5]));
        }
    }

    /** The parent's handle of the child JVM. */
    public static final class Child implements AutoCloseable {
        private final Process process;
        private final BufferedReader in;
        private final Writer out;
        private final List<Integer> portIds;
        private final long receiveBuffer;

        private Child(Process process, BufferedReader in, Writer out, List<Integer> portIds, long receiveBuffer) {
            this.process = process;
            this.in = in;
            this.out = out;
            this.portIds = portIds;
            this.receiveBuffer = receiveBuffer;
        }

        /**
         * Starts the child with {@code listeners} connections to {@code broker}, each registered on {@code cpulist},
         * and waits until all are registered. Its stderr goes to {@code log}.
         */
        public static Child start(InetSocketAddress broker, int listeners, String cpulist, int rcvbufBytes, int tcpReceiveBuffer,
                                  List<String> jvmArgs, Path log, Duration timeout) throws IOException, InterruptedException {
            List<String> cmd = ServiceProcess.childJvmCommand(FanoutListeners.class, jvmArgs, List.of(broker.getHostString(),
                    Integer.toString(broker.getPort()), Integer.toString(listeners), cpulist, Integer.toString(rcvbufBytes),
                    Integer.toString(tcpReceiveBuffer)));
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                Writer out = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
                String ready = readLine(in, p, timeout, 20);
                if (ready == null || !ready.startsWith("READY ")) throw new IOException("the listeners did not start: " + ready + " (see " + log + ")");
                String[] f = ready.split(" ");
                List<Integer> ports = new ArrayList<>();
                for (String s : f[2].split(",")) ports.add(Integer.parseUnsignedInt(s));
                return new Child(p, in, out, List.copyOf(ports), Long.parseLong(f[1]));
            } catch (IOException | InterruptedException | RuntimeException e) {
                p.destroyForcibly();
                throw e;
            }
        }

        /** A line of the child's, waiting at most {@code timeout} (polling every {@code pollMillis}). */
        private static String readLine(BufferedReader in, Process p, Duration timeout, long pollMillis) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!in.ready()) {
                if (!p.isAlive()) return in.readLine();        // whatever it wrote before it died, or null
                if (System.nanoTime() > deadline) throw new IOException("the listeners did not answer within " + timeout);
                Thread.sleep(pollMillis);
            }
            return in.readLine();
        }

        /** The sums of all listeners' counters now. */
        public synchronized Counts counts() throws IOException, InterruptedException {
            long before = System.nanoTime();
            out.write("COUNT\n");
            out.flush();
            String line = readLine(in, process, Duration.ofSeconds(30), 1);
            long after = System.nanoTime();
            return Counts.parse(line, before + (after - before) / 2);
        }

        public List<Integer> portIds() {
            return portIds;
        }

        /** The effective receive buffer (bytes) the broker reported for the first listener. */
        public long receiveBuffer() {
            return receiveBuffer;
        }

        public long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            try {
                out.close();                              // EOF on its stdin: the child closes the listeners and exits
            } catch (IOException ignored) {
                // already gone
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Child: {@code host port listeners cpulist rcvbufBytes tcpReceiveBuffer}. */
    public static void main(String[] args) throws Exception {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        InetSocketAddress broker = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int n = Integer.parseInt(args[2]);
        String cpulist = args[3];
        int rcvbuf = Integer.parseInt(args[4]);
        int tcpRcvbuf = Integer.parseInt(args[5]);
        List<RawListener> listeners = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) listeners.add(RawListener.connect(broker, cpulist, rcvbuf, tcpRcvbuf));
        } catch (IOException | RuntimeException e) {
            e.printStackTrace();
            out.println("ERROR " + e);
            for (RawListener l : listeners) l.close();
            System.exit(1);
        }
        int[] failed = new int[1];
        List<Thread> readers = new ArrayList<>();
        for (RawListener l : listeners) {
            readers.add(Thread.ofPlatform().name("listener-" + l.portId()).start(() -> {
                try {
                    l.readUntilClosed();
                } catch (IOException e) {
                    synchronized (failed) {
                        failed[0]++;
                    }
                    System.err.println("listener " + l.portId() + " failed: " + e);
                }
            }));
        }
        out.println("READY " + listeners.getFirst().receiveBuffer() + " "
                + listeners.stream().map(l -> Integer.toUnsignedString(l.portId())).collect(Collectors.joining(",")));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.trim().equals("COUNT")) {
                out.println("ERROR unknown command " + line);
                continue;
            }
            long events = 0;
            long overruns = 0;
            long other = 0;
            long bytes = 0;
            for (RawListener l : listeners) {
                events += l.counter().events();
                overruns += l.counter().overruns();
                other += l.counter().other();
                bytes += l.counter().bytes();
            }
            int f;
            synchronized (failed) {
                f = failed[0];
            }
            out.println("COUNT " + events + " " + overruns + " " + other + " " + bytes + " " + f);
        }
        for (RawListener l : listeners) l.close();
        for (Thread t : readers) t.join(5_000);
        System.exit(0);
    }
}
