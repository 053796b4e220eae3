package io.tsfleet.protocol.netlink;

/** Constants of {@code linux/netlink.h} and {@code linux/genetlink.h} used on the wire. */
public final class Netlink {
    private Netlink() {
    }

    public static final int NLMSG_HDRLEN = 16;
    public static final int GENL_HDRLEN = 4;
    public static final int NLA_HDRLEN = 4;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;
    /** Types below this value are reserved for netlink control messages. */
    public static final int NLMSG_MIN_TYPE = 0x10;

    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** Ack flag: the request was not echoed in the error message. */
    public static final int NLM_F_CAPPED = 0x100;

    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xFFFF;

    /** The generic netlink controller family id. */
    public static final int GENL_ID_CTRL = 0x10;
    public static final int CTRL_CMD_NEWFAMILY = 1;
    public static final int CTRL_CMD_GETFAMILY = 3;
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    public static final int CTRL_ATTR_VERSION = 3;
    public static final int CTRL_ATTR_HDRSIZE = 4;
    public static final int CTRL_ATTR_MAXATTR = 5;
    public static final int CTRL_ATTR_OPS = 6;
    public static final int CTRL_ATTR_MCAST_GROUPS = 7;
    public static final int CTRL_ATTR_OP_ID = 1;
    public static final int CTRL_ATTR_OP_FLAGS = 2;

    public static final int GENL_ADMIN_PERM = 0x01;
    public static final int GENL_CMD_CAP_DO = 0x02;
    public static final int GENL_CMD_CAP_DUMP = 0x04;
    public static final int GENL_CMD_CAP_HASPOL = 0x08;

    /** Rounds up to the 4-byte netlink alignment. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }
}
