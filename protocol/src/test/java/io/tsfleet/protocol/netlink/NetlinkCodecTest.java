package io.tsfleet.protocol.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetlinkCodecTest {

    @Test
    void buildsTheSameBytesAsARecordedRegisterRequest() {
        // the oracle's "0-1\0" REGISTER attribute: nla_len 8, type 3
        NetlinkMessage m = MessageBuilder.genl(1, 1).string(3, "0-1").build(31, 5, 7, 0);
        assertThat(HexFormat.of().formatHex(m.payload())).isEqualTo("01010000" + "08000300302d3100");
        assertThat(m.length()).isEqualTo(28);
    }

    @Test
    void unalignedStringAttributeIsPadded() throws Exception {
        NetlinkMessage m = MessageBuilder.genl(1, 1).string(3, "0-15").build(31, 5, 7, 0);
        // nla_len 9 ("0-15\0"), padded to 12
        assertThat(m.payload().length).isEqualTo(4 + 12);
        NlAttribute a = GenlMessage.of(m).attributes(true).require(3);
        assertThat(a.length()).isEqualTo(9);
        assertThat(a.string()).isEqualTo("0-15");
    }

    @Test
    void liberalParsingCountsTrailingGarbageStrictParsingRejectsIt() throws Exception {
        ByteBuffer attrs = ByteBuffer.wrap(HexFormat.of().parseHex("080001006e4000000102"));
        AttributeList liberal = AttributeList.parse(attrs, false);
        assertThat(liberal.attributes()).hasSize(1);
        assertThat(liberal.leftoverBytes()).isEqualTo(2);
        assertThat(liberal.require(1).u32()).isEqualTo(0x406e);
        assertThatThrownBy(() -> AttributeList.parse(attrs, true)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void lastDuplicateWinsAndFlagBitsAreMasked() throws Exception {
        ByteBuffer attrs = ByteBuffer.wrap(HexFormat.of().parseHex("0800014001000000" + "0800010002000000"));
        AttributeList list = AttributeList.parse(attrs, true);
        assertThat(list.last(1).orElseThrow().u32()).isEqualTo(2);
        assertThat(list.first(1).orElseThrow().netByteOrderFlag()).isTrue();
    }

    @Test
    void overrunMessageIsRecognised() throws Exception {
        NetlinkMessage m = NetlinkError.overrun();
        assertThat(m.length()).isEqualTo(36);
        assertThat(NetlinkError.isOverrun(m)).isTrue();
        assertThat(NetlinkError.decode(m).errno()).isEqualTo(Errno.ENOBUFS);
        assertThat(NetlinkError.isOverrun(NetlinkError.ackFor(m, 0, 5))).isFalse();
    }

    @Test
    void decoderRejectsLengthsBelowTheHeaderAndAboveTheMaximum() {
        NetlinkStreamDecoder d = new NetlinkStreamDecoder(4096);
        assertThatThrownBy(() -> d.next(ByteBuffer.wrap(new byte[] {15, 0, 0, 0})))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("below");
        assertThatThrownBy(() -> d.next(ByteBuffer.wrap(new byte[] {0, 0x20, 0, 0})))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("maximum");
        assertThatThrownBy(() -> d.next(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decoderWaitsForTheRestOfAFrame() throws Exception {
        byte[] full = MessageBuilder.genl(1, 1).u32(1, 5).build(31, 5, 1, 0).toBytes();
        NetlinkStreamDecoder d = new NetlinkStreamDecoder();
        ByteBuffer partial = ByteBuffer.wrap(full, 0, full.length - 1);
        assertThat(d.next(partial)).isNull();
        assertThat(partial.position()).isZero();
        assertThat(d.next(ByteBuffer.wrap(full))).isNotNull();
    }

    @Test
    void genlHeaderMissingIsMalformed() {
        NetlinkMessage m = new NetlinkMessage(31, 5, 101, 0, new byte[2]);
        assertThatThrownBy(() -> GenlMessage.of(m)).isInstanceOf(MalformedMessageException.class);
    }
}
