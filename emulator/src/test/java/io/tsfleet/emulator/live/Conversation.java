package io.tsfleet.emulator.live;

import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Request/answer matching on a {@link SpiClient}: by sequence number and the connection's port id. */
final class Conversation {
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    /** The replies and the NLMSG_ERROR (ack or error) of one request; other messages are kept in {@code other}. */
    record Answer(List<NetlinkMessage> replies, NetlinkError error, List<NetlinkMessage> other) {
        int errno() {
            return error.error();
        }
    }

    private Conversation() {
    }

    static Answer ask(SpiClient client, NetlinkMessage request) throws IOException, InterruptedException {
        client.send(request);
        List<NetlinkMessage> replies = new ArrayList<>();
        List<NetlinkMessage> other = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<NetlinkMessage> m = client.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m.isEmpty()) break;
            NetlinkMessage msg = m.get();
            boolean ours = msg.seq() == request.seq() && msg.portId() == client.portId();
            if (ours && msg.type() == Netlink.NLMSG_ERROR) return new Answer(replies, decode(msg), other);
            (ours ? replies : other).add(msg);
        }
        throw new AssertionError("no NLMSG_ERROR for seq " + request.seq() + " within " + TIMEOUT + "; got " + replies + " " + other);
    }

    /** Reads until the exit event of {@code pid} arrives (foreign exits are skipped), or empty after {@code timeout}. */
    static Optional<NetlinkMessage> awaitExitOf(SpiClient client, int family, long pid, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<NetlinkMessage> m = client.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m.isEmpty()) return Optional.empty();
            if (m.get().type() == family && m.get().portId() == 0 && event(m.get()).pid().map(a -> a.id() == pid).orElse(false)) {
                return m;
            }
        }
        return Optional.empty();
    }

    static TaskstatsEvent event(NetlinkMessage m) {
        try {
            return TaskstatsEvent.decode(m);
        } catch (MalformedMessageException e) {
            throw new AssertionError("not a taskstats event: " + m + ": " + e.getMessage(), e);
        }
    }

    private static NetlinkError decode(NetlinkMessage m) {
        try {
            return NetlinkError.decode(m);
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }
}
