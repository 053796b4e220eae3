package io.tsfleet.protocol.netlink;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random and mutated frames through the stream decoder and every parser behind it: the only thing that may come
 * out is a message or a {@link MalformedMessageException}, and every call either consumes bytes, asks for more, or
 * fails, so a read loop always terminates.
 */
class StreamDecoderFuzzTest {

    @Property(tries = 2000)
    void randomBytes(@ForAll @Size(max = 2048) byte[] bytes, @ForAll @IntRange(min = 1, max = 300) int chunk) {
        drive(bytes, chunk);
    }

    @Provide
    Arbitrary<byte[]> mutatedFrames() {
        byte[] valid = MessageBuilder.genl(1, 1).string(3, "0-63").u32(1, 1234)
                .build(0x1F, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 9, 0).toBytes();
        Arbitrary<List<Tuple.Tuple2<Integer, Byte>>> flips = Arbitraries.integers().between(0, valid.length - 1)
                .flatMap(i -> Arbitraries.bytes().map(b -> Tuple.of(i, b))).list().ofMinSize(1).ofMaxSize(6);
        Arbitrary<Integer> cut = Arbitraries.integers().between(0, valid.length);
        return flips.flatMap(fs -> cut.map(c -> {
            byte[] m = valid.clone();
            fs.forEach(f -> m[f.get1()] = f.get2());
            byte[] out = new byte[c * 2];
            System.arraycopy(m, 0, out, 0, c);
            System.arraycopy(m, 0, out, c, c); // truncated frame followed by another copy
            return out;
        }));
    }

    @Property(tries = 3000)
    void mutatedAndTruncatedFrames(@ForAll("mutatedFrames") byte[] bytes, @ForAll @IntRange(min = 1, max = 64) int chunk) {
        drive(bytes, chunk);
    }

    private static void drive(byte[] bytes, int chunk) {
        NetlinkStreamDecoder decoder = new NetlinkStreamDecoder(4096);
        ByteBuffer buf = ByteBuffer.allocate(8192);
        buf.flip();
        int steps = 0;
        try {
            for (int off = 0; off < bytes.length; off += chunk) {
                buf.compact().put(bytes, off, Math.min(chunk, bytes.length - off)).flip();
                while (true) {
                    assertThat(++steps).as("decoder makes progress").isLessThan(100_000);
                    int before = buf.position();
                    NetlinkMessage m = decoder.next(buf);
                    if (m == null) {
                        assertThat(buf.position()).isEqualTo(before);
                        break;
                    }
                    assertThat(buf.position()).isGreaterThan(before);
                    parseDeeply(m);
                }
            }
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** Everything a broker does with a request must also fail only with MalformedMessageException. */
    private static void parseDeeply(NetlinkMessage m) {
        try {
            GenlMessage g = GenlMessage.of(m);
            AttributeList.parse(g.attributeBytes(), false);
            for (NlAttribute a : g.attributes(true).attributes()) {
                a.string();
                if (a.value().length >= 4) a.u32();
                a.nested();
            }
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        try {
            if (m.type() == Netlink.NLMSG_ERROR) NetlinkError.decode(m);
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
