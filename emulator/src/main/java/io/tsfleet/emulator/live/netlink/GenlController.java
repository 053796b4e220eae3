package io.tsfleet.emulator.live.netlink;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Asks the live kernel's generic netlink controller about a family ({@code CTRL_CMD_GETFAMILY}). */
public final class GenlController {
    private static final AtomicInteger SEQ = new AtomicInteger(0x7f00_0000);

    private GenlController() {
    }

    /** The family with this name, or empty when the kernel does not have it. */
    public static Optional<ResolvedFamily> byName(LiveNetlinkSocket socket, String name, Duration timeout) throws IOException {
        return resolve(socket, MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).string(Netlink.CTRL_ATTR_FAMILY_NAME, name), timeout);
    }

    /** The family with this id, or empty when no family has it. */
    public static Optional<ResolvedFamily> byId(LiveNetlinkSocket socket, int id, Duration timeout) throws IOException {
        return resolve(socket, MessageBuilder.genl(Netlink.CTRL_CMD_GETFAMILY, 1).u16(Netlink.CTRL_ATTR_FAMILY_ID, id), timeout);
    }

    private static Optional<ResolvedFamily> resolve(LiveNetlinkSocket socket, MessageBuilder request, Duration timeout) throws IOException {
        var msg = request.build(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, SEQ.incrementAndGet(), 0);
        NetlinkExchange ex = NetlinkExchange.run(socket, msg, timeout, timeout);
        int errno = ex.errno().orElseThrow(() -> new IOException("the generic netlink controller did not answer within " + timeout));
        if (errno == Errno.ENOENT.negative()) return Optional.empty();
        if (errno != 0) throw new NativeErrnoException("CTRL_CMD_GETFAMILY", -errno);
        if (ex.replies().isEmpty()) throw new IOException("the generic netlink controller acked CTRL_CMD_GETFAMILY without a reply");
        try {
            return Optional.of(ResolvedFamily.decode(ex.replies().getFirst()));
        } catch (MalformedMessageException e) {
            throw new IOException("controller reply does not decode: " + e.getMessage(), e);
        }
    }
}
