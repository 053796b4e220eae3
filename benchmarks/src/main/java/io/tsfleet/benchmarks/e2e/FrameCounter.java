package io.tsfleet.benchmarks.e2e;

import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkHeader;

import java.nio.ByteBuffer;

/**
 * Counts the netlink messages of a broker connection's byte stream in place, as a listener's hot path would, without
 * decoding them: TASKSTATS events (messages of the family's type), in-band overrun reports ({@code NLMSG_ERROR}
 * -ENOBUFS with sequence 0) and anything else. The frames come from the broker client
 * ({@link io.tsfleet.protocol.client.BrokerClient#visitFrames}, which cuts them by {@code NLMSG_ALIGN(nlmsg_len)} and
 * keeps an incomplete one for the next read; see {@link RawListener}). One thread counts; {@link #events()} and friends
 * may be read from any other (release/acquire once per buffer, not per frame).
 */
public final class FrameCounter {
    private final int familyId;
    private long events;
    private long overruns;
    private long other;
    private long bytes;
    private volatile long publishedEvents;
    private volatile long publishedOverruns;
    private volatile long publishedOther;
    private volatile long publishedBytes;

    public FrameCounter(int familyId) {
        this.familyId = familyId;
    }

    /**
     * Counts one complete frame of {@code frame} stream bytes at {@code at} of the little-endian {@code le} (as the
     * broker client hands frames over, see {@link io.tsfleet.protocol.client.BrokerClient#visitFrames}); the counts
     * become visible to other threads with {@link #publish()}.
     */
    public void countFrame(ByteBuffer le, int at, int frame) {
        int type = NetlinkHeader.type(le, at);
        if (type == familyId) {
            events++;
        } else if (type == Netlink.NLMSG_ERROR && NetlinkHeader.seq(le, at) == 0 && frame >= Netlink.NLMSG_HDRLEN + 4
                && NetlinkHeader.error(le, at) == Errno.ENOBUFS.negative()) {
            overruns++;
        } else {
            other++;
        }
        bytes += frame;
    }

    /** Makes the counts so far visible to the threads that read them (once per buffer, not per frame). */
    public void publish() {
        publishedEvents = events;
        publishedOverruns = overruns;
        publishedOther = other;
        publishedBytes = bytes;
    }

    /** TASKSTATS messages counted so far (exit events). */
    public long events() {
        return publishedEvents;
    }

    /** In-band ENOBUFS reports counted so far (one per congestion episode). */
    public long overruns() {
        return publishedOverruns;
    }

    /** Other messages (acks, replies). */
    public long other() {
        return publishedOther;
    }

    /** Stream bytes of the counted frames (padding included). */
    public long bytes() {
        return publishedBytes;
    }
}
