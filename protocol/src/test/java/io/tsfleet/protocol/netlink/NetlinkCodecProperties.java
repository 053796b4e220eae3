package io.tsfleet.protocol.netlink;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NetlinkCodecProperties {

    @Provide
    Arbitrary<NetlinkMessage> messages() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.integers(),
                Arbitraries.integers(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(700)).as(NetlinkMessage::new);
    }

    @Property
    void messageRoundTrip(@ForAll("messages") NetlinkMessage m) throws Exception {
        byte[] bytes = m.toBytes();
        assertThat(bytes.length).isEqualTo(Netlink.align(m.length()));
        assertThat(NetlinkMessage.decode(ByteBuffer.wrap(bytes))).isEqualTo(m);
    }

    @Property
    void streamOfMessagesSplitAnywhereDecodesToTheSameMessages(@ForAll @Size(max = 8) List<@net.jqwik.api.From("messages") NetlinkMessage> ms,
                                                               @ForAll @IntRange(min = 1, max = 97) int chunk) throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (NetlinkMessage m : ms) stream.write(m.toBytes());
        byte[] all = stream.toByteArray();
        NetlinkStreamDecoder decoder = new NetlinkStreamDecoder();
        ByteBuffer buf = ByteBuffer.allocate(all.length + 8);
        buf.flip();
        List<NetlinkMessage> out = new ArrayList<>();
        for (int off = 0; off < all.length; off += chunk) {
            buf.compact().put(all, off, Math.min(chunk, all.length - off)).flip();
            NetlinkMessage m;
            while ((m = decoder.next(buf)) != null) out.add(m);
        }
        assertThat(out).isEqualTo(ms);
        assertThat(buf.remaining()).isZero();
    }

    @Provide
    Arbitrary<NlAttribute> attributes() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                .as(NlAttribute::new);
    }

    @Property
    void genlMessageWithAttributesAndNestRoundTrip(@ForAll @IntRange(max = 255) int cmd, @ForAll @IntRange(max = 255) int version,
                                                   @ForAll @Size(max = 6) List<@net.jqwik.api.From("attributes") NlAttribute> flat,
                                                   @ForAll @Size(max = 4) List<@net.jqwik.api.From("attributes") NlAttribute> inner,
                                                   @ForAll boolean nestedFlag) throws Exception {
        MessageBuilder b = MessageBuilder.genl(cmd, version);
        flat.forEach(b::attribute);
        int nestType = 7 | (nestedFlag ? Netlink.NLA_F_NESTED : 0);
        int nest = b.beginNest(nestType);
        inner.forEach(b::attribute);
        b.endNest(nest);
        NetlinkMessage m = b.build(0x1F, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 42, 0);

        GenlMessage g = GenlMessage.of(NetlinkMessage.decode(ByteBuffer.wrap(m.toBytes())));
        assertThat(g.cmd()).isEqualTo(cmd);
        assertThat(g.version()).isEqualTo(version);
        AttributeList attrs = g.attributes(true);
        assertThat(attrs.attributes()).hasSize(flat.size() + 1);
        assertThat(attrs.attributes().subList(0, flat.size())).isEqualTo(flat);
        NlAttribute n = attrs.attributes().get(flat.size());
        assertThat(n.type()).isEqualTo(7);
        assertThat(n.nestedFlag()).isEqualTo(nestedFlag);
        assertThat(n.nested().attributes()).isEqualTo(inner);
    }

    @Property
    void errorAndAckRoundTrip(@ForAll("messages") NetlinkMessage request, @ForAll @IntRange(min = -133, max = 0) int error,
                              @ForAll int portId) throws Exception {
        NetlinkMessage ack = NetlinkError.ackFor(request, error, portId);
        NetlinkError e = NetlinkError.decode(NetlinkMessage.decode(ByteBuffer.wrap(ack.toBytes())));
        assertThat(e.error()).isEqualTo(error);
        assertThat(e.requestSeq()).isEqualTo(request.seq());
        assertThat(e.requestLength()).isEqualTo(request.length());
        assertThat(ack.seq()).isEqualTo(request.seq());
        assertThat(ack.portId()).isEqualTo(portId);
        if (error == 0) {
            assertThat(ack.length()).isEqualTo(36);
            assertThat(ack.flags()).isEqualTo(Netlink.NLM_F_CAPPED);
        } else {
            assertThat(ack.length()).isEqualTo(36 + request.payload().length);
            assertThat(e.echoedPayload()).isEqualTo(request.payload());
            assertThat(ack.flags()).isZero();
        }
    }
}
