package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 8192 possible CPUs, 64 listeners on random overlapping masks, 1,000,000 exits on random CPUs, with real
 * receive queues drained concurrently by two reader threads: every listener receives exactly the events of
 * its CPUs, in exit order (so in per-CPU sequence order), and nothing is missing (no queue ever filled).
 */
class FanoutAtScaleTest {
    private static final int CPUS = 8192;
    private static final int LISTENERS = 64;
    private static final int EXITS = 1_000_000;

    @Test
    void everyListenerReceivesExactlyTheEventsOfItsCpusInOrder() throws Exception {
        EmulatedKernel kernel = new EmulatedKernel(KernelConfig.of(CPUS, CpuSet.range(0, CPUS - 1)).withSeed(42), Clock.systemUTC());
        SplittableRandom random = new SplittableRandom(7);
        NetlinkSocket[] sockets = new NetlinkSocket[LISTENERS];
        CpuSet[] masks = new CpuSet[LISTENERS];
        for (int l = 0; l < LISTENERS; l++) {
            sockets[l] = kernel.openSocket(() -> { });
            sockets[l].setRcvbuf(1 << 30, 0, true);
            masks[l] = randomMask(random);
            kernel.receive(sockets[l], MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1)
                    .string(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, masks[l].toCpulist())
                    .build(kernel.taskstatsFamilyId(), Netlink.NLM_F_REQUEST, 1, 0));
        }
        IntList[] received = new IntList[LISTENERS];
        for (int l = 0; l < LISTENERS; l++) received[l] = new IntList();
        AtomicBoolean producing = new AtomicBoolean(true);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int first = r;
            readers.add(Thread.ofPlatform().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(256 * 1024).order(ByteOrder.LITTLE_ENDIAN);
                boolean more = true;
                while (more) {
                    boolean last = !producing.get();
                    int got = 0;
                    for (int l = first; l < LISTENERS; l += 2) {
                        buf.clear();
                        got += sockets[l].drainTo(buf);
                        buf.flip();
                        while (buf.remaining() >= Netlink.NLMSG_HDRLEN) {
                            int len = NetlinkHeader.length(buf, buf.position());
                            received[l].add(NetlinkHeader.seq(buf, buf.position()));
                            buf.position(buf.position() + len);
                        }
                    }
                    more = !(last && got == 0);
                    if (got == 0 && !last) java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            }));
        }
        int[] cpuOfExit = new int[EXITS];
        int[] seqOfExit = new int[EXITS];
        for (int i = 0; i < EXITS; i++) {
            int cpu = random.nextInt(CPUS);
            cpuOfExit[i] = cpu;
            seqOfExit[i] = (int) kernel.exitGenerated(cpu);
        }
        producing.set(false);
        for (Thread t : readers) t.join();

        for (int l = 0; l < LISTENERS; l++) {
            assertThat(sockets[l].state().drops()).as("listener %d dropped nothing", l).isZero();
            IntList expected = new IntList();
            for (int i = 0; i < EXITS; i++) if (masks[l].contains(cpuOfExit[i])) expected.add(seqOfExit[i]);
            assertThat(received[l].size).as("events of listener %d", l).isEqualTo(expected.size);
            assertThat(received[l].equalsList(expected)).as("listener %d got its CPUs' events in exit order", l).isTrue();
        }
        long deliveries = 0;
        for (IntList r : received) deliveries += r.size;
        assertThat(kernel.counters().eventsQueued()).isEqualTo(deliveries);
        assertThat(kernel.counters().exits()).isEqualTo(EXITS);
    }

    /** A few random ranges and single CPUs: about 1/16 of the machine, overlapping other masks. */
    private static CpuSet randomMask(SplittableRandom r) {
        CpuSet.Builder b = CpuSet.builder();
        for (int i = 0; i < 4; i++) {
            int start = r.nextInt(CPUS);
            b.addRange(start, Math.min(CPUS - 1, start + r.nextInt(256)));
        }
        for (int i = 0; i < 16; i++) b.add(r.nextInt(CPUS));
        return b.build();
    }

    /** A growable int array (millions of entries without boxing). */
    static final class IntList {
        int[] a = new int[1024];
        int size;

        void add(int v) {
            if (size == a.length) a = java.util.Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        boolean equalsList(IntList o) {
            return size == o.size && java.util.Arrays.equals(a, 0, size, o.a, 0, size);
        }
    }
}
