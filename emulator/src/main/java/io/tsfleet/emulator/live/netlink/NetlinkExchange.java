package io.tsfleet.emulator.live.netlink;

import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.NetlinkMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One request and its answer on a live socket, matched the safe way: by {@code nlmsg_seq} and the socket's own
 * port id (an earlier ack or an exit event is never taken for the answer). Messages that belong to something
 * else (exit events, answers to other requests) are kept in {@link #unrelated}, and overruns are counted.
 */
public record NetlinkExchange(List<NetlinkMessage> replies, Optional<NetlinkError> error, List<NetlinkMessage> unrelated,
                              int overruns) {

    /** The errno of the answer: 0 for a positive ack, negative for an error, empty when no NLMSG_ERROR came. */
    public Optional<Integer> errno() {
        return error.map(NetlinkError::error);
    }

    /**
     * Sends {@code request} and collects its replies until the matching {@code NLMSG_ERROR} (the request must carry
     * {@code NLM_F_ACK} for a success to be acked) or, without an ack, until {@code quiet} passes without a reply
     * after at least one reply; gives up at {@code timeout}.
     */
    public static NetlinkExchange run(LiveNetlinkSocket socket, NetlinkMessage request, Duration timeout, Duration quiet)
            throws IOException {
        socket.send(request);
        List<NetlinkMessage> replies = new ArrayList<>();
        List<NetlinkMessage> unrelated = new ArrayList<>();
        int overruns = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return new NetlinkExchange(replies, Optional.empty(), unrelated, overruns);
            Duration wait = replies.isEmpty() ? Duration.ofNanos(left) : min(quiet, Duration.ofNanos(left));
            Received r = socket.receive(wait);
            switch (r) {
                case Received.Overrun o -> overruns++;
                case Received.Closed c -> throw new IOException("socket closed while waiting for the answer to seq " + request.seq());
                case Received.Nothing n -> {
                    if (!replies.isEmpty()) return new NetlinkExchange(replies, Optional.empty(), unrelated, overruns);
                }
                case Received.Datagram d -> {
                    for (NetlinkMessage m : split(d)) {
                        boolean ours = m.seq() == request.seq() && m.portId() == socket.portId();
                        if (ours && m.type() == Netlink.NLMSG_ERROR) {
                            return new NetlinkExchange(replies, Optional.of(decodeError(m)), unrelated, overruns);
                        } else if (ours) {
                            replies.add(m);
                        } else {
                            unrelated.add(m);
                        }
                    }
                }
            }
        }
    }

    /** The netlink messages of one datagram (each starts at the aligned end of the previous one). */
    public static List<NetlinkMessage> split(Received.Datagram datagram) throws IOException {
        if (datagram.truncated()) throw new IOException("datagram of " + datagram.datagramLength() + " bytes was truncated");
        List<NetlinkMessage> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(datagram.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buf.remaining() >= Netlink.NLMSG_HDRLEN) {
                int len = NetlinkHeader.length(buf, buf.position());
                if (len < Netlink.NLMSG_HDRLEN || len > buf.remaining()) break;
                out.add(NetlinkMessage.decode(buf.duplicate().limit(buf.position() + len)));
                buf.position(Math.min(buf.limit(), buf.position() + Netlink.align(len)));
            }
        } catch (MalformedMessageException e) {
            throw new IOException("kernel datagram does not decode: " + e.getMessage(), e);
        }
        return out;
    }

    private static NetlinkError decodeError(NetlinkMessage m) throws IOException {
        try {
            return NetlinkError.decode(m);
        } catch (MalformedMessageException e) {
            throw new IOException("kernel NLMSG_ERROR does not decode: " + e.getMessage(), e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
