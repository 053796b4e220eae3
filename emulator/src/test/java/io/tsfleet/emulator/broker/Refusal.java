package io.tsfleet.emulator.broker;

import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What a raw client reads from the broker until it closes: the refusal's errno and extended-ack text when the broker
 * refused it ({@link RefusalMessage}), {@code closed} when it was closed at all within the timeout.
 */
record Refusal(boolean closed, Integer errno, String text) {

    boolean refused() {
        return closed && errno != null;
    }

    /** Connects and reads (sending nothing) until the broker closes the connection or {@code timeoutMillis} pass. */
    static Refusal connect(InetSocketAddress address, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 5_000);
            return readFrom(s, timeoutMillis);
        }
    }

    static Refusal readFrom(Socket s, int timeoutMillis) throws IOException {
        s.setSoTimeout(timeoutMillis);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean closed;
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) got.write(buf, 0, n);
            closed = true;
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException reset) {
            closed = true;
        }
        return parse(closed, got.toByteArray());
    }

    static Refusal parse(boolean closed, byte[] bytes) {
        if (bytes.length < Netlink.NLMSG_HDRLEN + 20) return new Refusal(closed, null, null);
        try {
            NetlinkMessage m = NetlinkMessage.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
            if (m.type() != Netlink.NLMSG_ERROR || m.seq() != 0) return new Refusal(closed, null, null);
            ByteBuffer p = m.payloadBuffer();
            int errno = p.getInt(0);
            String text = null;
            if ((m.flags() & RefusalMessage.NLM_F_ACK_TLVS) != 0 && p.limit() >= 20 + 4) {
                int len = Short.toUnsignedInt(p.getShort(20));
                int type = Short.toUnsignedInt(p.getShort(22));
                if (type == RefusalMessage.NLMSGERR_ATTR_MSG && len > 5) {
                    byte[] t = new byte[len - 5];
                    p.get(24, t);
                    text = new String(t, StandardCharsets.UTF_8);
                }
            }
            return new Refusal(closed, errno, text);
        } catch (Exception e) {
            return new Refusal(closed, null, null);
        }
    }
}
