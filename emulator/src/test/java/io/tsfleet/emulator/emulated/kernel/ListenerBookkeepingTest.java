package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code add_del_listener} and {@code send_cpu_listeners}: the rules that the 2006 seed patch got wrong. */
class ListenerBookkeepingTest {
    private final KernelHarness h = KernelHarness.oracleMachine();

    private List<NetlinkMessage> eventsAfterExitOn(NetlinkSocket s, int cpu) {
        h.kernel.exit(ExitSpec.simple(cpu));
        return KernelHarness.read(s).stream().filter(m -> m.type() == h.kernel.taskstatsFamilyId()).toList();
    }

    @Test
    void registeringTwiceGivesOneCopyPerExit() {
        NetlinkSocket s = h.open();
        assertThat(h.register(s, "0")).isZero();
        assertThat(h.register(s, "0-1")).isZero();
        assertThat(eventsAfterExitOn(s, 0)).hasSize(1);
        assertThat(h.kernel.cpu(0).listeners()).hasSize(1);
    }

    @Test
    void deregisteringWhatWasNeverRegisteredSucceeds() {
        NetlinkSocket s = h.open();
        assertThat(h.deregister(s, "0-1")).isZero();
        assertThat(h.register(s, "1")).isZero();
        assertThat(h.deregister(s, "1")).isZero();
        assertThat(eventsAfterExitOn(s, 1)).isEmpty();
    }

    @Test
    void sequenceAdvancesOnlyWhileTheCpuHasListenersAndIsSharedByAllCopies() {
        h.kernel.exit(ExitSpec.simple(0));
        assertThat(h.kernel.cpu(0).nextSeq()).as("no listener: no number used").isZero();
        NetlinkSocket a = h.open();
        NetlinkSocket b = h.open();
        h.register(a, "0");
        h.register(b, "0-1");
        List<NetlinkMessage> ea = eventsAfterExitOn(a, 0);
        List<NetlinkMessage> eb = KernelHarness.read(b);
        assertThat(ea.getFirst().seq()).isZero();
        assertThat(eb.getFirst().seq()).isZero();
        eventsAfterExitOn(a, 1);
        assertThat(h.kernel.cpu(1).nextSeq()).isEqualTo(1);
        assertThat(h.kernel.cpu(0).nextSeq()).as("per-CPU counters").isEqualTo(1);
    }

    @Test
    void aClosedListenerIsRemovedLazilyPerCpuAtThatCpusNextExit() {
        NetlinkSocket dead = h.open();
        NetlinkSocket live = h.open();
        h.register(dead, "0-1");
        h.register(live, "0");
        h.kernel.closeSocket(dead);
        assertThat(h.kernel.cpu(0).listeners()).hasSize(2);
        assertThat(eventsAfterExitOn(live, 0)).as("the other listener is not disturbed").hasSize(1);
        assertThat(h.kernel.cpu(0).listeners()).containsExactly(live.portId());
        assertThat(h.kernel.cpu(1).listeners()).as("CPU 1 had no exit yet").containsExactly(dead.portId());
        assertThat(h.kernel.counters().droppedRefused()).isEqualTo(1);
        h.kernel.exit(ExitSpec.simple(1));
        assertThat(h.kernel.cpu(1).listeners()).isEmpty();
        assertThat(h.kernel.cpu(1).nextSeq()).as("the refused event still used a number").isEqualTo(1);
    }

    @Test
    void aFullQueueKeepsTheListener() {
        NetlinkSocket slow = h.open();
        h.register(slow, "0");
        for (int i = 0; i < 200; i++) h.kernel.exit(ExitSpec.simple(0));
        assertThat(h.kernel.cpu(0).listeners()).containsExactly(slow.portId());
        assertThat(slow.state().drops()).isEqualTo(200 - 166);
    }

    @Test
    void newestRegistrationIsFirstInTheList() {
        NetlinkSocket a = h.open();
        NetlinkSocket b = h.open();
        h.register(a, "0");
        h.register(b, "0");
        assertThat(h.kernel.cpu(0).listeners()).containsExactly(b.portId(), a.portId());
    }

    @Test
    void portIdsAreUniqueNonZeroAndNotReused() {
        NetlinkSocket a = h.open();
        h.kernel.closeSocket(a);
        NetlinkSocket b = h.open();
        assertThat(a.portId()).isNotZero();
        assertThat(b.portId()).isNotEqualTo(a.portId());
        assertThat(U32.toLong(a.portId())).isGreaterThan(4_194_304L);
    }

    @Test
    void multiThreadedExitCarriesTheAggregateOnlyOnTheLastThread() {
        NetlinkSocket s = h.open();
        h.register(s, "0");
        ExitResult r = h.kernel.exit(ExitSpec.group(0, 3));
        assertThat(r.threads()).extracting(ExitResult.ThreadExit::eventLength).containsExactly(596, 596, 1172);
        assertThat(r.threads().getLast().pid()).isEqualTo(r.tgid());
        assertThat(r.threads()).extracting(ExitResult.ThreadExit::seq).containsExactly(0L, 1L, 2L);
    }

    @Test
    void invalidCpusAreEinvalWhenThePossibleSetHasHoles() {
        KernelHarness holes = new KernelHarness(KernelConfig.of(64, io.tsfleet.protocol.cpu.CpuSet.of(0, 1, 4, 5)));
        int[] possible = {0, 1, 4, 5};
        NetlinkSocket s = holes.open();
        assertThat(holes.register(s, "2")).as("parses (nr_cpu_ids 6) but is not possible").isEqualTo(Errno.EINVAL.negative());
        assertThat(holes.register(s, "0-2")).as("possible CPUs with an impossible one: all refused").isEqualTo(Errno.EINVAL.negative());
        assertThat(holes.register(s, "1,6")).as("beyond nr_cpu_ids").isEqualTo(Errno.ERANGE.negative());
        for (int cpu : possible) {
            assertThat(holes.kernel.cpu(cpu).listeners()).as("a refused REGISTER registers nothing, CPU %d", cpu).isEmpty();
        }
        holes.kernel.exit(ExitSpec.simple(0));
        holes.kernel.exit(ExitSpec.simple(1));
        assertThat(KernelHarness.read(s).stream().filter(m -> m.type() == holes.kernel.taskstatsFamilyId()))
                .as("no event reaches the socket").isEmpty();
        assertThat(holes.kernel.cpu(0).nextSeq()).as("no listener: no number used").isZero();

        assertThat(holes.register(s, "4-5")).isZero();
        for (int cpu : possible) {
            assertThat(holes.kernel.cpu(cpu).listeners()).as("CPU %d", cpu)
                    .isEqualTo(cpu >= 4 ? new int[] {s.portId()} : new int[0]);
        }
    }

    @Test
    void eventLengthsAreKernelExact() {
        NetlinkSocket s = h.open();
        h.register(s, "1");
        List<NetlinkMessage> ev = eventsAfterExitOn(s, 1);
        assertThat(ev.getFirst().length()).isEqualTo(TaskstatsProtocol.EVENT_LENGTH);
        assertThat(ev.getFirst().portId()).isZero();
        assertThat(ev.getFirst().flags()).isZero();
    }
}
