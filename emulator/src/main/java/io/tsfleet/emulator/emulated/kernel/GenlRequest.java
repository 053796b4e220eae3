package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;

/**
 * A validated generic netlink request ({@code struct genl_info}): the message, the genl header and the
 * attribute table {@code attrs[type]} (last duplicate wins; unknown types dropped).
 */
record GenlRequest(NetlinkMessage message, int cmd, int version, int reserved, NlAttribute[] attrs, NetlinkSocket socket) {

    NlAttribute attr(int type) {
        return type < attrs.length ? attrs[type] : null;
    }

    int seq() {
        return message.seq();
    }

    boolean dump() {
        return (message.flags() & io.tsfleet.protocol.netlink.Netlink.NLM_F_DUMP) == io.tsfleet.protocol.netlink.Netlink.NLM_F_DUMP;
    }
}
