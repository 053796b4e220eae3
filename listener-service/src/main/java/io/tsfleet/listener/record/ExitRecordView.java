package io.tsfleet.listener.record;

import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A reusable, allocation-free view of one exit event ({@code TASKSTATS_CMD_NEW}) in place in a buffer: the
 * {@code AGGR_PID} nest (pid + struct taskstats) and, for the last thread of a multi-threaded group, the
 * {@code AGGR_TGID} nest. {@link #wrap} walks the attributes once and remembers where the structs are; the accessors
 * read fields straight from the buffer with {@link Taskstats#read}. The struct's size comes from {@code nla_len}, so
 * any version decodes; fields beyond it are absent ({@link #has}).
 *
 * <p>A record is parsed once, by the CPU's reader: {@link #saveLayout} writes where its parts lie (relative to the frame)
 * next to the frame's copy, and the sink writer points a view at the copy with {@link #restore}, without walking the
 * attributes again.
 *
 * <p>A view is only valid until its buffer is reused. It is what sinks receive; a sink that needs the record later
 * copies what it needs ({@link #copyFrame}).
 */
public final class ExitRecordView {
    /** How many ints {@link #saveLayout} writes per record. */
    public static final int LAYOUT_INTS = 6;
    /** In the single-exit layout, from the AGGR_PID nest's header: the pid's value and the struct. */
    private static final int PID_VALUE = 2 * Netlink.NLA_HDRLEN;
    private static final int STATS_VALUE = PID_VALUE + 4 + Netlink.NLA_HDRLEN;
    private ByteBuffer buf;
    private int frameOffset;
    private int frameLength;
    private int cpu;
    private RecordOrigin origin = RecordOrigin.UNKNOWN;
    private long pid;
    private int pidStats = -1;
    private int pidStatsLength;
    private long tgidId;
    private long timeEpochNanos;
    private int tgidStats = -1;
    private int tgidStatsLength;

    /**
     * Points the view at the message at {@code offset} ({@code buf} little-endian). Returns false, leaving the view
     * invalid, when the message is not a well-formed exit event with an {@code AGGR_PID} nest.
     */
    public boolean wrap(ByteBuffer buf, int offset, int cpu) {
        return wrap(buf, offset, cpu, RecordOrigin.UNKNOWN);
    }

    /** {@link #wrap(ByteBuffer, int, int)} for a record of a connection with this {@link #origin()}. */
    public boolean wrap(ByteBuffer buf, int offset, int cpu, RecordOrigin origin) {
        this.buf = buf;
        this.frameOffset = offset;
        this.cpu = cpu;
        this.origin = origin;
        this.pidStats = -1;
        this.tgidStats = -1;
        if (buf.limit() - offset < Netlink.NLMSG_HDRLEN + Netlink.GENL_HDRLEN) return false;
        long len = U32.toLong(NetlinkHeader.length(buf, offset));
        if (len < Netlink.NLMSG_HDRLEN + Netlink.GENL_HDRLEN || len > buf.limit() - offset) return false;
        this.frameLength = (int) len;
        if (Byte.toUnsignedInt(buf.get(offset + Netlink.NLMSG_HDRLEN)) != TaskstatsProtocol.CMD_NEW) return false;
        int end = offset + (int) len;
        int pos = offset + Netlink.NLMSG_HDRLEN + Netlink.GENL_HDRLEN;
        if (len == TaskstatsProtocol.EVENT_LENGTH && isSingleExit(pos)) {
            pid = U32.toLong(buf.getInt(pos + PID_VALUE));
            pidStats = pos + STATS_VALUE;
            pidStatsLength = TaskstatsProtocol.STRUCT_SIZE;
            return true;
        }
        while (end - pos >= Netlink.NLA_HDRLEN) {
            int nlaLen = Short.toUnsignedInt(buf.getShort(pos));
            int type = Short.toUnsignedInt(buf.getShort(pos + 2)) & Netlink.NLA_TYPE_MASK;
            if (nlaLen < Netlink.NLA_HDRLEN || nlaLen > end - pos) return false;
            if (type == TaskstatsProtocol.TYPE_AGGR_PID && pidStats < 0) {
                if (!nest(pos + Netlink.NLA_HDRLEN, pos + nlaLen, TaskstatsProtocol.TYPE_PID, true)) return false;
            } else if (type == TaskstatsProtocol.TYPE_AGGR_TGID && tgidStats < 0) {
                if (!nest(pos + Netlink.NLA_HDRLEN, pos + nlaLen, TaskstatsProtocol.TYPE_TGID, false)) return false;
            }
            pos += Netlink.align(nlaLen);
        }
        return pidStats >= 0;
    }

    /**
     * Writes where the parts of the record {@link #wrap wrapped} last lie, relative to its frame, into
     * {@code to[at .. at + LAYOUT_INTS)}: what {@link #restore} needs to point a view at a copy of the same frame.
     */
    public void saveLayout(int[] to, int at) {
        to[at] = (int) pid;
        to[at + 1] = pidStats - frameOffset;
        to[at + 2] = pidStatsLength;
        to[at + 3] = (int) tgidId;
        to[at + 4] = tgidStats < 0 ? -1 : tgidStats - frameOffset;
        to[at + 5] = tgidStatsLength;
    }

    /**
     * Points the view at a frame at {@code offset} that an earlier {@link #wrap} accepted (or a copy of it), from the
     * layout {@link #saveLayout} wrote then: nothing is parsed or checked again.
     */
    public void restore(ByteBuffer buf, int offset, int cpu, RecordOrigin origin, int[] layout, int at) {
        this.buf = buf;
        this.frameOffset = offset;
        this.frameLength = NetlinkHeader.length(buf, offset);
        this.cpu = cpu;
        this.origin = origin;
        this.pid = Integer.toUnsignedLong(layout[at]);
        this.pidStats = offset + layout[at + 1];
        this.pidStatsLength = layout[at + 2];
        this.tgidId = Integer.toUnsignedLong(layout[at + 3]);
        this.tgidStats = layout[at + 4] < 0 ? -1 : offset + layout[at + 4];
        this.tgidStatsLength = layout[at + 5];
    }

    /**
     * The layout of nearly every event, as {@code mk_reply} writes it for a task that is not the last thread of a
     * multi-threaded group: one AGGR_PID nest of {PID u32, STATS v16} filling the message. Recognised with three loads;
     * the walk below gives the same result for it ({@code ExitRecordViewTest}).
     */
    private boolean isSingleExit(int pos) {
        return buf.getInt(pos) == attrHeader(TaskstatsProtocol.AGGR_NEST_LENGTH, TaskstatsProtocol.TYPE_AGGR_PID)
                && buf.getInt(pos + Netlink.NLA_HDRLEN) == attrHeader(Netlink.NLA_HDRLEN + 4, TaskstatsProtocol.TYPE_PID)
                && buf.getInt(pos + STATS_VALUE - Netlink.NLA_HDRLEN) == attrHeader(Netlink.NLA_HDRLEN + TaskstatsProtocol.STRUCT_SIZE,
                TaskstatsProtocol.TYPE_STATS);
    }

    /** {@code nla_len} and {@code nla_type} as one little-endian int. */
    private static int attrHeader(int length, int type) {
        return length | type << 16;
    }

    private boolean nest(int pos, int end, int idType, boolean isPid) {
        long id = -1;
        int stats = -1;
        int statsLength = 0;
        while (end - pos >= Netlink.NLA_HDRLEN) {
            int nlaLen = Short.toUnsignedInt(buf.getShort(pos));
            int type = Short.toUnsignedInt(buf.getShort(pos + 2)) & Netlink.NLA_TYPE_MASK;
            if (nlaLen < Netlink.NLA_HDRLEN || nlaLen > end - pos) return false;
            if (type == idType) {
                if (nlaLen < Netlink.NLA_HDRLEN + 4) return false;
                id = U32.toLong(buf.getInt(pos + Netlink.NLA_HDRLEN));
            } else if (type == TaskstatsProtocol.TYPE_STATS) {
                stats = pos + Netlink.NLA_HDRLEN;
                statsLength = nlaLen - Netlink.NLA_HDRLEN;
            }
            pos += Netlink.align(nlaLen);
        }
        if (id < 0 || stats < 0 || statsLength < TaskstatsField.VERSION.end()) return false;
        if (isPid) {
            pid = id;
            pidStats = stats;
            pidStatsLength = statsLength;
        } else {
            tgidId = id;
            tgidStats = stats;
            tgidStatsLength = statsLength;
        }
        return true;
    }

    public int cpu() {
        return cpu;
    }

    /** The node and boot the record's broker connection reported ({@link RecordOrigin#UNKNOWN} when it did not). */
    public RecordOrigin origin() {
        return origin;
    }

    /** The per-CPU sequence number (u32). */
    public long seq() {
        return U32.toLong(NetlinkHeader.seq(buf, frameOffset));
    }

    public long pid() {
        return pid;
    }

    /**
     * The thread group id: the {@code AGGR_TGID} id when the event carries the group aggregate, otherwise
     * {@code ac_tgid} (struct version 12 and later); -1 when neither is there.
     */
    public long tgid() {
        if (tgidStats >= 0) return tgidId;
        return has(TaskstatsField.AC_TGID) ? field(TaskstatsField.AC_TGID) : -1;
    }

    public long exitCode() {
        return field(TaskstatsField.AC_EXITCODE);
    }

    /** The size of the PID record's struct taskstats in bytes (from {@code nla_len}). */
    public int statsLength() {
        return pidStatsLength;
    }

    public boolean has(TaskstatsField field) {
        return field.end() <= pidStatsLength;
    }

    /** A numeric field of the PID record, 0 when absent (u64 above 2^63 come back negative: read them unsigned). */
    public long field(TaskstatsField field) {
        return has(field) ? Taskstats.read(buf, pidStats, field) : 0;
    }

    /** The byte of {@code ac_comm}/{@code ac_pad} at index {@code i} of the PID record. */
    public int fieldByte(TaskstatsField field, int i) {
        return Byte.toUnsignedInt(buf.get(pidStats + field.offset() + i));
    }

    /** The length of {@code ac_comm} up to its first NUL. */
    public int commLength() {
        return cStringLength(pidStats, pidStatsLength);
    }

    /** {@code ac_comm} as a String (allocates; the JSON sink writes the bytes instead). */
    public String comm() {
        if (!has(TaskstatsField.AC_COMM)) return "";
        byte[] b = new byte[commLength()];
        buf.get(pidStats + TaskstatsField.AC_COMM.offset(), b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Whether the record is a thread's, a single-threaded process's, or carries a whole process's aggregate. */
    public RecordScope scope() {
        if (tgidStats >= 0) return RecordScope.GROUP;
        long tgid = tgid();
        return tgid >= 0 && tgid == pid ? RecordScope.PROCESS : RecordScope.THREAD;
    }

    /**
     * The exit time, in nanoseconds since the epoch (UTC): when the replica read the record from its broker connection
     * (the kernel sends the event as the task exits; struct taskstats itself carries only the begin time, in whole
     * seconds). 0 when not known. Set by whoever points the view at a record.
     */
    public long timeEpochNanos() {
        return timeEpochNanos;
    }

    public void timeEpochNanos(long epochNanos) {
        this.timeEpochNanos = epochNanos;
    }

    public boolean hasTgidAggregate() {
        return tgidStats >= 0;
    }

    public int tgidStatsLength() {
        return tgidStats >= 0 ? tgidStatsLength : 0;
    }

    public boolean tgidHas(TaskstatsField field) {
        return tgidStats >= 0 && field.end() <= tgidStatsLength;
    }

    /** A numeric field of the group aggregate, 0 when absent. */
    public long tgidField(TaskstatsField field) {
        return tgidHas(field) ? Taskstats.read(buf, tgidStats, field) : 0;
    }

    public int tgidFieldByte(TaskstatsField field, int i) {
        return Byte.toUnsignedInt(buf.get(tgidStats + field.offset() + i));
    }

    public int tgidCommLength() {
        return cStringLength(tgidStats, tgidStatsLength);
    }

    /** The buffer and offset of the PID record's struct, for sinks that copy raw bytes. */
    public ByteBuffer buffer() {
        return buf;
    }

    public int pidStatsOffset() {
        return pidStats;
    }

    public int tgidStatsOffset() {
        return tgidStats;
    }

    /** A copy of the whole netlink message (for sinks that keep records beyond the call). */
    public byte[] copyFrame() {
        byte[] out = new byte[frameLength];
        buf.get(frameOffset, out);
        return out;
    }

    /** The PID record as an owned {@link Taskstats} (allocates). */
    public Taskstats pidStats() {
        byte[] raw = new byte[pidStatsLength];
        buf.get(pidStats, raw);
        return Taskstats.decode(raw);
    }

    private int cStringLength(int structOffset, int structLength) {
        if (TaskstatsField.AC_COMM.end() > structLength) return 0;
        int at = structOffset + TaskstatsField.AC_COMM.offset();
        int n = 0;
        while (n < TaskstatsField.AC_COMM.size() && buf.get(at + n) != 0) n++;
        return n;
    }

    /** A little-endian view of a byte array, for wrapping frames. */
    public static ByteBuffer littleEndian(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
