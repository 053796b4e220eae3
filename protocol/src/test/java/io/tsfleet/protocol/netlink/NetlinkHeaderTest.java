package io.tsfleet.protocol.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

class NetlinkHeaderTest {

    private static ByteBuffer at(int offset, NetlinkMessage... messages) {
        ByteBuffer b = ByteBuffer.allocate(offset + 256).order(ByteOrder.LITTLE_ENDIAN);
        b.position(offset);
        for (NetlinkMessage m : messages) m.writeTo(b);
        return b;
    }

    @Test
    void readsTheHeaderFieldsInPlaceAsTheDecoderDoes() throws Exception {
        NetlinkMessage m = new NetlinkMessage(0xFFFE, 0x8005, 0xFFFF_FFF0, 0x8000_0001, new byte[] {1, 2, 3});
        ByteBuffer b = at(7, m);
        NetlinkMessage decoded = NetlinkMessage.decode(b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(7).limit(7 + m.length()));

        assertThat(NetlinkHeader.length(b, 7)).isEqualTo(m.length()).isEqualTo(19);
        assertThat(NetlinkHeader.alignedLength(b, 7)).isEqualTo(20);
        assertThat(NetlinkHeader.type(b, 7)).isEqualTo(decoded.type()).isEqualTo(0xFFFE);
        assertThat(NetlinkHeader.flags(b, 7)).isEqualTo(decoded.flags()).isEqualTo(0x8005);
        assertThat(NetlinkHeader.seq(b, 7)).isEqualTo(decoded.seq());
        assertThat(U32.toLong(NetlinkHeader.seq(b, 7))).isEqualTo(0xFFFF_FFF0L);
        assertThat(NetlinkHeader.portId(b, 7)).isEqualTo(decoded.portId());
        assertThat(U32.toLong(NetlinkHeader.portId(b, 7))).isEqualTo(0x8000_0001L);
        assertThat(b.position()).as("absolute reads").isEqualTo(7 + 20);
    }

    @Test
    void errorAndOverrunOfAnNlmsgError() {
        NetlinkMessage request = new NetlinkMessage(0x15, Netlink.NLM_F_REQUEST, 9, 4, new byte[4]);
        ByteBuffer b = at(0, NetlinkError.ackFor(request, Errno.EPERM.negative(), 4), NetlinkError.overrun());
        int second = NetlinkHeader.alignedLength(b, 0);

        assertThat(NetlinkHeader.isError(b, 0)).isTrue();
        assertThat(NetlinkHeader.error(b, 0)).isEqualTo(Errno.EPERM.negative());
        assertThat(NetlinkHeader.isOverrun(b, 0)).as("seq 9, port 4, EPERM").isFalse();
        assertThat(NetlinkHeader.isOverrun(b, second)).isTrue();
        assertThat(NetlinkHeader.error(b, second)).isEqualTo(Errno.ENOBUFS.negative());

        ByteBuffer data = at(0, request);
        assertThat(NetlinkHeader.isError(data, 0)).isFalse();
        assertThat(NetlinkHeader.isOverrun(data, 0)).isFalse();
    }

    @Test
    void u32Helpers() {
        assertThat(U32.toLong(-1)).isEqualTo(U32.MAX).isEqualTo(4_294_967_295L);
        assertThat(U32.bits(U32.MAX)).isEqualTo(-1);
        assertThat(U32.fits(U32.MAX)).isTrue();
        assertThat(U32.fits(U32.MAX + 1)).isFalse();
        assertThat(U32.fits(-1)).isFalse();
        assertThat(U32.compare(-1, 1)).isPositive();
        assertThat(U32.toString(-1)).isEqualTo("4294967295");
    }

    @Test
    void errnoNamesAndSigns() {
        assertThat(Errno.nameOf(-2)).isEqualTo("ENOENT");
        assertThat(Errno.nameOf(98)).isEqualTo("EADDRINUSE");
        assertThat(Errno.nameOf(200)).isEqualTo("errno 200");
        assertThat(Errno.EINTR.is(4)).isTrue();
        assertThat(Errno.EINTR.is(-4)).isTrue();
        assertThat(Errno.EINTR.is(11)).isFalse();
    }
}
