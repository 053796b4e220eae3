package io.tsfleet.protocol.taskstats;

import io.tsfleet.protocol.netlink.NetlinkMessage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TaskstatsProperties {

    @Provide
    Arbitrary<Map<TaskstatsField, Long>> fieldValues() {
        return Arbitraries.longs().list().ofSize(TaskstatsField.values().length).map(vs -> {
            Map<TaskstatsField, Long> m = new EnumMap<>(TaskstatsField.class);
            int i = 0;
            for (TaskstatsField f : TaskstatsField.values()) {
                long v = vs.get(i++);
                if (f.isNumeric()) m.put(f, f.size() == 8 ? v : v & ((1L << (8 * f.size())) - 1));
            }
            return m;
        });
    }

    @Provide
    Arbitrary<String> comms() {
        return Arbitraries.strings().withCharRange('!', '~').ofMaxLength(15);
    }

    @Property
    void everyFieldEncodesAndDecodesToItself(@ForAll("fieldValues") Map<TaskstatsField, Long> values, @ForAll("comms") String comm,
                                             @ForAll int seq, @ForAll boolean withGroup) throws Exception {
        Taskstats.Builder b = Taskstats.builder().comm(comm);
        values.forEach(b::set);
        Taskstats t = b.build();
        long pid = values.get(TaskstatsField.AC_PID);
        TaskstatsEvent event = withGroup ? TaskstatsEvent.exitWithGroup(seq, pid, t, pid, t) : TaskstatsEvent.exit(seq, pid, t);
        NetlinkMessage m = event.encode(0x1F);
        NetlinkMessage wire = NetlinkMessage.decode(ByteBuffer.wrap(m.toBytes()));
        TaskstatsEvent back = TaskstatsEvent.decode(wire);
        Taskstats d = back.pid().orElseThrow().stats();
        values.forEach((f, v) -> assertThat(d.get(f)).as(f.cName()).isEqualTo(v));
        assertThat(d.comm()).isEqualTo(comm);
        assertThat(back.seq()).isEqualTo(seq);
        assertThat(back.tgid().isPresent()).isEqualTo(withGroup);
        // and in place, without decoding objects
        ByteBuffer in = ByteBuffer.wrap(wire.toBytes());
        values.forEach((f, v) -> assertThat(Taskstats.read(in, 36, f)).as(f.cName()).isEqualTo(v));
    }
}
