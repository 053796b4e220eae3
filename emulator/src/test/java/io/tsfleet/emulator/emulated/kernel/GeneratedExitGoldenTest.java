package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the observable output of the generated-exit fast path byte for byte, as recorded when its events
 * became stamped copies of {@link ExitTemplates} (the digests before that pinned the per-exit generation
 * through its earlier optimisation): with a fixed clock and a seed, the exit events every listener receives (values, sequence
 * numbers, pids), the {@code CMD_GET} answers for the zombies they leave (and {@code ESRCH} for the reaped
 * ones), the overflow accounting of a listener that does not read, and the counters. A change of any
 * generated value, of the pid allocation, of the zombie table's reaping order or of the drop accounting
 * changes a digest.
 */
class GeneratedExitGoldenTest {
    @Test
    void generatedExitsAndZombieAnswersAreUnchanged() throws Exception {
        assertThat(digest(4096, 1L)).isEqualTo("0f191692eba3735da9c622682ca4cf9f5e1bf1dc8416b3bd172c6be4a96a8b54");
    }

    @Test
    void aSmallZombieTableReapsTheOldestFirst() throws Exception {
        assertThat(digest(3, 42L)).isEqualTo("4b2ef79e65dcd25db1f6ee6daf65eeb1767060e5c27c59c8e8c8bb99205eda1b");
    }

    @Test
    void withoutZombiesEveryQueryOfAnExitedTaskFails() throws Exception {
        assertThat(digest(0, 7L)).isEqualTo("e76ecde612f23e1d710c19132a950eb56a64fc5b98d7b4a8bb5b7364c27ae2ce");
    }

    public static void main(String[] args) throws Exception {
        System.out.println(digest(4096, 1L));
        System.out.println(digest(3, 42L));
        System.out.println(digest(0, 7L));
    }

    /**
     * 10,000 generated exits on CPUs 0 and 1 with every 1,000th exit a control-API exit instead; one listener
     * on both CPUs that drains, one on CPU 1 that never reads (it overflows); then CMD_GET PID and TGID for every
     * pid handed out; then the counters. Everything the sockets received goes into one SHA-256.
     */
    static String digest(int zombieLimit, long seed) throws Exception {
        KernelConfig config = new KernelConfig(256, CpuSet.of(0, 1), SockProtocol.DEFAULT_RMEM, SockProtocol.DEFAULT_RMEM, null, seed,
                KernelConfig.DEFAULT_FIRST_FAMILY_ID, zombieLimit, KernelConfig.DEFAULT_NODE_NAME);
        KernelHarness h = new KernelHarness(config); // a fixed clock
        EmulatedKernel kernel = h.kernel;
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        NetlinkSocket reader = h.open();
        assertThat(h.setSock(reader, SockProtocol.ATTR_RCVBUFFORCE, 1 << 28)).isZero();
        assertThat(h.register(reader, "0-1")).isZero();
        NetlinkSocket stalled = h.open();
        assertThat(h.register(stalled, "1")).isZero();
        long lastSeq = 0;
        for (int i = 0; i < 10_000; i++) {
            int cpu = i & 1;
            if (i % 1000 == 999) {
                kernel.exit(ExitSpec.simple(cpu));
            } else {
                lastSeq += kernel.exitGenerated(cpu);
            }
            if (i % 97 == 0) drain(reader, md);
        }
        drain(reader, md);
        md.update(Long.toString(lastSeq).getBytes());
        int lastPid = 0;
        for (int pid = 1; pid < 12_000; pid++) {
            kernel.receive(reader, h.taskstats(Netlink.NLM_F_REQUEST, pid, KernelHarness.attr(TaskstatsProtocol.CMD_ATTR_PID, u32(pid))));
            kernel.receive(reader, h.taskstats(Netlink.NLM_F_REQUEST, pid, KernelHarness.attr(TaskstatsProtocol.CMD_ATTR_TGID, u32(pid))));
            if (pid % 50 == 0) drain(reader, md);
        }
        drain(reader, md);
        drain(stalled, md);
        KernelCounters c = kernel.counters();
        String counters = c.exits() + " " + c.eventsQueued() + " " + c.droppedRcvbufFull() + " " + c.droppedCongested() + " "
                + c.droppedRefused() + " " + c.requests() + " " + c.errors() + " " + c.repliesDropped() + " " + kernel.zombies() + " "
                + kernel.liveTasks() + " " + stalled.state() + " " + cpu(kernel.cpu(0)) + " " + cpu(kernel.cpu(1));
        if (Boolean.getBoolean("golden.verbose")) System.out.println(counters);
        md.update(counters.getBytes());
        return HexFormat.of().formatHex(md.digest());
    }

    private static void drain(NetlinkSocket s, MessageDigest md) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        int n;
        do {
            buf.clear();
            n = s.drainTo(buf);
            md.update(buf.array(), 0, n);
        } while (n > 0);
    }

    private static String cpu(CpuSnapshot c) {
        return c.cpu() + "/" + c.exits() + "/" + c.nextSeq() + "/" + c.events() + "/" + java.util.Arrays.toString(c.listeners());
    }

    private static byte[] u32(long v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
    }
}
