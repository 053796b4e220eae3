package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;

/**
 * A manual measurement, not a test: CPU time per generated exit of the emulated kernel alone, without TCP.
 * {@code java -cp <test classpath> io.tsfleet.emulator.emulated.kernel.ExitPathCostProbe [listeners] [seconds] [rounds]}.
 * One thread runs {@link EmulatedKernel#exitGenerated} round-robin on 64 CPUs with N listeners registered on
 * all of them and, every 256 exits, drains every listener's queue into a 256 KiB direct buffer as the broker's
 * event loop does (the bytes are then discarded instead of written to a socket). Reports the thread's CPU
 * nanoseconds per exit, which on this single thread is the whole cost: generation, zombie bookkeeping,
 * encoding, fan-out, counters and the drain copy.
 */
public final class ExitPathCostProbe {
    public static void main(String[] args) {
        int listeners = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        EmulatedKernel kernel = new EmulatedKernel(KernelConfig.of(256, CpuSet.range(0, 63)), Clock.systemUTC());
        NetlinkSocket[] sockets = new NetlinkSocket[listeners];
        for (int l = 0; l < listeners; l++) {
            sockets[l] = kernel.openSocket(() -> { });
            sockets[l].setRcvbuf(16L << 20, 0, true);
            kernel.receive(sockets[l], MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1)
                    .string(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, "0-63")
                    .build(kernel.taskstatsFamilyId(), Netlink.NLM_F_REQUEST, 1, 0));
        }
        ByteBuffer out = ByteBuffer.allocateDirect(256 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        for (NetlinkSocket s : sockets) drain(s, out);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] state = {0, 0};
        run(kernel, sockets, out, 2_000_000_000L, state); // warm-up
        for (int round = 0; round < rounds; round++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long exits = run(kernel, sockets, out, seconds * 1_000_000_000L, state);
            long t1 = System.nanoTime();
            long cpu1 = mx.getCurrentThreadCpuTime();
            System.out.printf("listeners=%d exits=%d exits/s=%.0f cpu ns/exit=%.0f wall ns/exit=%.0f drops=%d%n", listeners, exits,
                    exits / ((t1 - t0) / 1e9), (double) (cpu1 - cpu0) / exits, (double) (t1 - t0) / exits,
                    kernel.counters().droppedRcvbufFull() + kernel.counters().droppedCongested());
        }
        System.out.println("checksum " + state[1]);
    }

    private static long run(EmulatedKernel kernel, NetlinkSocket[] sockets, ByteBuffer out, long nanos, long[] state) {
        long end = System.nanoTime() + nanos;
        long exits = 0;
        int cpu = (int) state[0];
        long check = state[1];
        while (System.nanoTime() < end) {
            for (int k = 0; k < 256; k++) check += kernel.exitGenerated(cpu++ & 63);
            exits += 256;
            for (NetlinkSocket s : sockets) check += drain(s, out);
        }
        state[0] = cpu;
        state[1] = check;
        return exits;
    }

    private static int drain(NetlinkSocket s, ByteBuffer out) {
        int total = 0;
        int n;
        do {
            out.clear();
            n = s.drainTo(out);
            total += n;
        } while (n > 0);
        return total;
    }
}
