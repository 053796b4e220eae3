package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code TASKSTATS} family as mainline {@code kernel/taskstats.c} serves it: {@code TASKSTATS_CMD_GET}
 * (admin only) dispatched as {@code taskstats_user_cmd} with the priority REGISTER > DEREGISTER > PID >
 * TGID, else EINVAL; and {@code CGROUPSTATS_CMD_GET}.
 */
final class TaskstatsFamily extends GenlFamily {
    private static final int CGROUPSTATS_CMD_ATTR_FD = 1;
    private static final int CGROUPSTATS_TYPE_CGROUP_STATS = 1;

    private final KernelConfig config;
    private final ListenerTable listeners;
    private final ExitPath tasks;
    private final TaskTable table;
    private final KernelCounters counters;

    TaskstatsFamily(int id, KernelConfig config, ListenerTable listeners, ExitPath tasks, TaskTable table, KernelCounters counters) {
        super(TaskstatsProtocol.FAMILY_NAME, id, TaskstatsProtocol.GENL_VERSION, TaskstatsProtocol.CGROUPSTATS_CMD_NEW,
                List.of(new Op(TaskstatsProtocol.CMD_GET, true, true, false, Map.of(
                                TaskstatsProtocol.CMD_ATTR_PID, AttrPolicy.u32(),
                                TaskstatsProtocol.CMD_ATTR_TGID, AttrPolicy.u32(),
                                TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, AttrPolicy.string(0),
                                TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK, AttrPolicy.string(0))),
                        new Op(TaskstatsProtocol.CGROUPSTATS_CMD_GET, false, true, false, Map.of(CGROUPSTATS_CMD_ATTR_FD, AttrPolicy.u32()))));
        this.config = config;
        this.listeners = listeners;
        this.tasks = tasks;
        this.table = table;
        this.counters = counters;
    }

    @Override
    int doit(GenlRequest r, ReplySink out) {
        if (r.cmd() == TaskstatsProtocol.CGROUPSTATS_CMD_GET) return cgroupstats(r, out);
        NlAttribute register = r.attr(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK);
        if (register != null) return changeListener(r.socket(), register, true);
        NlAttribute deregister = r.attr(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK);
        if (deregister != null) return changeListener(r.socket(), deregister, false);
        NlAttribute pid = r.attr(TaskstatsProtocol.CMD_ATTR_PID);
        if (pid != null) return statsReply(r, out, false, pid.u32(), tasks.pidStats(pid.u32()));
        NlAttribute tgid = r.attr(TaskstatsProtocol.CMD_ATTR_TGID);
        if (tgid != null) return statsReply(r, out, true, tgid.u32(), tasks.tgidStats(tgid.u32()));
        return Errno.EINVAL.negative();
    }

    /** {@code cmd_attr_(de)register_cpumask}: {@code parse()}, then {@code add_del_listener()}'s subset check. */
    private int changeListener(NetlinkSocket socket, NlAttribute attr, boolean register) {
        CpuSet mask;
        try {
            mask = CpulistParser.parseAttribute(attr.value(), config.nrCpus(), config.nrCpuIds());
        } catch (CpulistParseException e) {
            return e.errno().negative();
        }
        if (!mask.isSubsetOf(config.possibleCpus())) return Errno.EINVAL.negative();
        if (register) {
            listeners.register(socket, mask);
            counters.registration();
        } else {
            listeners.deregister(socket.portId(), mask);
        }
        return 0;
    }

    private int statsReply(GenlRequest r, ReplySink out, boolean tgid, long id, Optional<StatsVector> stats) {
        if (stats.isEmpty()) return Errno.ESRCH.negative();
        return out.reply(EventEncoder.reply(id(), r.seq(), r.socket().portId(), tgid, id, stats.get()));
    }

    /**
     * {@code cgroupstats_user_cmd}. A broker client passes no real file descriptors, so the emulated process
     * behind every connection has a fixed table: 0-2 are its standard streams (not cgroup directories:
     * EINVAL), 3 is an open cgroup-v1 directory (the {@code cpu} hierarchy's root), everything else is not
     * open (0, no data, as {@code fdget()} failing makes the kernel return).
     */
    private int cgroupstats(GenlRequest r, ReplySink out) {
        NlAttribute fd = r.attr(CGROUPSTATS_CMD_ATTR_FD);
        if (fd == null) return Errno.EINVAL.negative();
        long n = fd.u32();
        if (n > 3) return 0;
        if (n < 3) return Errno.EINVAL.negative();
        int live = table.liveThreads();
        int running = Math.min(live, Math.max(1, config.possibleCpus().size() / 8));
        ByteBuffer stats = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        stats.putLong(live - running).putLong(running).putLong(0).putLong(0).putLong(0); // sleeping, running, stopped, uninterruptible, io_wait
        return out.reply(MessageBuilder.genl(TaskstatsProtocol.CGROUPSTATS_CMD_NEW, TaskstatsProtocol.GENL_VERSION)
                .attribute(CGROUPSTATS_TYPE_CGROUP_STATS, stats.array())
                .build(id(), 0, r.seq(), r.socket().portId()));
    }
}
