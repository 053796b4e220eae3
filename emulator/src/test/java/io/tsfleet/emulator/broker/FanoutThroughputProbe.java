package io.tsfleet.emulator.broker;

import io.tsfleet.emulator.conformance.BrokerTestClient;
import io.tsfleet.protocol.client.BrokerClient;
import io.tsfleet.protocol.cpu.CpuSet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A manual measurement, not a test: events per second delivered over loopback TCP by the broker's fan-out.
 * {@code java -cp <test classpath> io.tsfleet.emulator.broker.FanoutThroughputProbe [listeners] [seconds]}.
 * One producer thread runs the emulated exit path on 64 CPUs; every listener is registered on all of them
 * and reads with the protocol's {@link BrokerClient} on a blocking socket, counting frames. Also reports the CPU time per exit of the
 * producer thread, of the broker's event loops (together: the emulator's cost) and of the readers.
 */
public final class FanoutThroughputProbe {
    public static void main(String[] args) throws Exception {
        int listeners = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (BrokerFixture f = new BrokerFixture(CpuSet.range(0, 63), Duration.ofSeconds(10))) {
            LongAdder frames = new LongAdder();
            AtomicBoolean run = new AtomicBoolean(true);
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < listeners; i++) {
                BrokerTestClient c = f.listener("0-63", true);
                readers.add(Thread.ofPlatform().daemon().start(() -> countFrames(c.client(), frames, run)));
            }
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread producer = Thread.ofPlatform().start(() -> {
                int cpu = 0;
                while (producing.get()) {
                    for (int k = 0; k < 1024; k++) f.kernel.exitGenerated(cpu++ & 63);
                }
            });
            Thread.sleep(1_000); // warm-up
            long e0 = f.kernel.counters().exits();
            long d0 = frames.sum();
            long[] cpu0 = cpu(producer, readers);
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            long t1 = System.nanoTime();
            long[] cpu1 = cpu(producer, readers);
            long delivered = frames.sum() - d0;
            long exits = f.kernel.counters().exits() - e0;
            producing.set(false);
            producer.join();
            double secs = (t1 - t0) / 1e9;
            System.out.printf("listeners=%d exits/s=%.0f events delivered over TCP/s=%.0f (%.1f MB/s) dropped=%d%n", listeners, exits / secs,
                    delivered / secs, delivered * 596 / secs / 1e6,
                    f.kernel.counters().droppedRcvbufFull() + f.kernel.counters().droppedCongested());
            System.out.printf("  cpu ns/exit: producer=%.0f broker-io=%.0f (emulator total %.0f) readers=%.0f; load average %s%n",
                    (double) (cpu1[0] - cpu0[0]) / exits, (double) (cpu1[1] - cpu0[1]) / exits,
                    (double) (cpu1[0] - cpu0[0] + cpu1[1] - cpu0[1]) / exits, (double) (cpu1[2] - cpu0[2]) / exits,
                    java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
            run.set(false);
        }
        System.exit(0);
    }

    /** CPU nanoseconds so far of the producer, of the broker's event loops, and of the readers. */
    private static long[] cpu(Thread producer, List<Thread> readers) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] out = new long[3];
        out[0] = mx.getThreadCpuTime(producer.threadId());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("broker-io-")) out[1] += mx.getThreadCpuTime(t.threadId());
        }
        for (Thread t : readers) out[2] += mx.getThreadCpuTime(t.threadId());
        return out;
    }

    private static void countFrames(BrokerClient client, LongAdder frames, AtomicBoolean run) {
        int[] count = new int[1];
        BrokerClient.FrameVisitor counting = (buf, at, len) -> {
            count[0]++;
            return true;
        };
        try {
            while (run.get()) {
                client.read();
                count[0] = 0;
                client.visitFrames(counting);
                frames.add(count[0]);
            }
        } catch (Exception e) {
            // the probe ends by closing the broker
        }
    }
}
