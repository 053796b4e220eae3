package io.tsfleet.protocol.taskstats;

import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;

import java.util.Optional;

/**
 * A {@code TASKSTATS_CMD_NEW} message: an exit event (sequence = per-CPU counter, port id 0) or a
 * {@code CMD_GET} reply (sequence and port id of the request). It carries an {@code AGGR_PID} nest
 * (PID + STATS) and/or an {@code AGGR_TGID} nest (TGID + STATS): an exit event has the PID nest and, for
 * the last thread of a multi-threaded group, also the TGID nest; a TGID query reply has only the TGID nest.
 */
public record TaskstatsEvent(int seq, int portId, Optional<Aggregate> pid, Optional<Aggregate> tgid) {

    /** One {@code AGGR_PID}/{@code AGGR_TGID} nest: the id and its stats. */
    public record Aggregate(long id, Taskstats stats) {
    }

    public static TaskstatsEvent exit(int seq, long pid, Taskstats pidStats) {
        return new TaskstatsEvent(seq, 0, Optional.of(new Aggregate(pid, pidStats)), Optional.empty());
    }

    public static TaskstatsEvent exitWithGroup(int seq, long pid, Taskstats pidStats, long tgid, Taskstats tgidStats) {
        return new TaskstatsEvent(seq, 0, Optional.of(new Aggregate(pid, pidStats)), Optional.of(new Aggregate(tgid, tgidStats)));
    }

    /** Encodes as the kernel does ({@code mk_reply}: nests without {@code NLA_F_NESTED}, no NULL pad on x86_64). */
    public NetlinkMessage encode(int familyId) {
        MessageBuilder b = MessageBuilder.genl(TaskstatsProtocol.CMD_NEW, TaskstatsProtocol.GENL_VERSION);
        pid.ifPresent(a -> nest(b, TaskstatsProtocol.TYPE_AGGR_PID, TaskstatsProtocol.TYPE_PID, a));
        tgid.ifPresent(a -> nest(b, TaskstatsProtocol.TYPE_AGGR_TGID, TaskstatsProtocol.TYPE_TGID, a));
        return b.build(familyId, 0, seq, portId);
    }

    private static void nest(MessageBuilder b, int aggrType, int idType, Aggregate a) {
        int nest = b.beginNest(aggrType);
        b.u32(idType, a.id());
        b.attribute(TaskstatsProtocol.TYPE_STATS, a.stats().toBytes());
        b.endNest(nest);
    }

    /** Decodes a {@code TASKSTATS_CMD_NEW} message; the STATS size comes from {@code nla_len}. */
    public static TaskstatsEvent decode(NetlinkMessage m) throws MalformedMessageException {
        GenlMessage g = GenlMessage.of(m);
        if (g.cmd() != TaskstatsProtocol.CMD_NEW) throw new MalformedMessageException("not a TASKSTATS_CMD_NEW message: cmd " + g.cmd());
        AttributeList attrs = g.attributes(true);
        Optional<Aggregate> pid = aggregate(attrs, TaskstatsProtocol.TYPE_AGGR_PID, TaskstatsProtocol.TYPE_PID);
        Optional<Aggregate> tgid = aggregate(attrs, TaskstatsProtocol.TYPE_AGGR_TGID, TaskstatsProtocol.TYPE_TGID);
        if (pid.isEmpty() && tgid.isEmpty()) throw new MalformedMessageException("TASKSTATS_CMD_NEW without AGGR_PID or AGGR_TGID");
        return new TaskstatsEvent(m.seq(), m.portId(), pid, tgid);
    }

    private static Optional<Aggregate> aggregate(AttributeList attrs, int aggrType, int idType) throws MalformedMessageException {
        Optional<NlAttribute> nest = attrs.first(aggrType);
        if (nest.isEmpty()) return Optional.empty();
        AttributeList inner = nest.get().nested();
        NlAttribute id = inner.require(idType);
        if (id.value().length < 4) throw new MalformedMessageException("id attribute shorter than 4 bytes");
        NlAttribute stats = inner.require(TaskstatsProtocol.TYPE_STATS);
        return Optional.of(new Aggregate(id.u32(), Taskstats.decode(stats.value())));
    }
}
