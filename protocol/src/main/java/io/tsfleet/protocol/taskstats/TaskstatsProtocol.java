package io.tsfleet.protocol.taskstats;

/** Constants of the TASKSTATS generic netlink family ({@code include/uapi/linux/taskstats.h}, {@code linux/acct.h}). */
public final class TaskstatsProtocol {
    private TaskstatsProtocol() {
    }

    public static final String FAMILY_NAME = "TASKSTATS";
    /** {@code TASKSTATS_GENL_VERSION}: the genl header version of replies and events. */
    public static final int GENL_VERSION = 1;
    /** {@code TASKSTATS_VERSION} of the struct this library writes. */
    public static final int STRUCT_VERSION = 16;
    public static final int STRUCT_SIZE = 560;

    public static final int CMD_UNSPEC = 0;
    public static final int CMD_GET = 1;
    public static final int CMD_NEW = 2;
    public static final int CGROUPSTATS_CMD_UNSPEC = 3;
    public static final int CGROUPSTATS_CMD_GET = 4;
    public static final int CGROUPSTATS_CMD_NEW = 5;

    public static final int CMD_ATTR_PID = 1;
    public static final int CMD_ATTR_TGID = 2;
    public static final int CMD_ATTR_REGISTER_CPUMASK = 3;
    public static final int CMD_ATTR_DEREGISTER_CPUMASK = 4;

    public static final int TYPE_PID = 1;
    public static final int TYPE_TGID = 2;
    public static final int TYPE_STATS = 3;
    public static final int TYPE_AGGR_PID = 4;
    public static final int TYPE_AGGR_TGID = 5;
    public static final int TYPE_NULL = 6;

    public static final int AFORK = 0x01;
    public static final int ASU = 0x02;
    public static final int ACOMPAT = 0x04;
    public static final int ACORE = 0x08;
    public static final int AXSIG = 0x10;
    public static final int AGROUP = 0x20;

    /** An exit event or GET reply for one task: nlmsghdr + genlmsghdr + AGGR nest (576). */
    public static final int EVENT_LENGTH = 596;
    /** The event of the last thread of a multi-threaded group: a second 576-byte AGGR_TGID nest. */
    public static final int EVENT_WITH_TGID_LENGTH = 1172;
    /** One AGGR nest: 4 + (4 + 4) + (4 + 560). */
    public static final int AGGR_NEST_LENGTH = 576;
    /** Receive-buffer charge of one 596-byte event on x86_64 (measured). */
    public static final int EVENT_TRUESIZE = 1280;
    /** Receive-buffer charge of one 1172-byte event (2048-byte slab + skb overhead). */
    public static final int EVENT_WITH_TGID_TRUESIZE = 2304;
}
