package io.tsfleet.protocol.taskstats;

import io.tsfleet.protocol.KernelOracle;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TaskstatsLayoutTest {

    @Test
    void fieldTableMatchesTheRecordedKernelsStruct() {
        JsonNode struct = KernelOracle.load().meta().get("struct_taskstats");
        assertThat(struct.get("size").asInt()).isEqualTo(TaskstatsProtocol.STRUCT_SIZE);
        List<String> recorded = new ArrayList<>();
        struct.get("fields").forEach(f -> recorded.add(f.get("name").asString() + "@" + f.get("offset").asInt() + "+" + f.get("size").asInt()));
        List<String> ours = new ArrayList<>();
        for (TaskstatsField f : TaskstatsField.values()) ours.add(f.cName() + "@" + f.offset() + "+" + f.size());
        assertThat(ours).isEqualTo(recorded);
        assertThat(TaskstatsField.IRQ_DELAY_MIN.end()).isEqualTo(560);
    }

    @Test
    void singleTaskExitEventIs596BytesWithTheKernelsLayout() throws Exception {
        Taskstats stats = Taskstats.builder().set(TaskstatsField.AC_PID, 4242).set(TaskstatsField.AC_FLAG, TaskstatsProtocol.AFORK | TaskstatsProtocol.AGROUP)
                .set(TaskstatsField.AC_EXITCODE, 7 << 8).comm("worker").build();
        NetlinkMessage m = TaskstatsEvent.exit(77, 4242, stats).encode(31);
        assertThat(m.length()).isEqualTo(TaskstatsProtocol.EVENT_LENGTH);
        assertThat(m.flags()).isZero();
        assertThat(m.portId()).isZero();
        ByteBuffer b = ByteBuffer.wrap(m.toBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(b.get(16)).isEqualTo((byte) TaskstatsProtocol.CMD_NEW);
        assertThat(b.get(17)).isEqualTo((byte) 1);
        assertThat(b.getShort(20)).isEqualTo((short) 576);
        assertThat(b.getShort(22)).isEqualTo((short) TaskstatsProtocol.TYPE_AGGR_PID); // no NLA_F_NESTED, as mk_reply
        assertThat(b.getShort(24)).isEqualTo((short) 8);
        assertThat(b.getShort(26)).isEqualTo((short) TaskstatsProtocol.TYPE_PID);
        assertThat(b.getInt(28)).isEqualTo(4242);
        assertThat(b.getShort(32)).isEqualTo((short) 564);
        assertThat(b.getShort(34)).isEqualTo((short) TaskstatsProtocol.TYPE_STATS);
        assertThat(Taskstats.read(b, 36, TaskstatsField.VERSION)).isEqualTo(16);
        assertThat(Taskstats.comm(b, 36)).isEqualTo("worker");
        TaskstatsEvent e = TaskstatsEvent.decode(m);
        assertThat(e.seq()).isEqualTo(77);
        assertThat(e.pid().orElseThrow().stats()).isEqualTo(stats);
        assertThat(e.tgid()).isEmpty();
    }

    @Test
    void lastThreadEventCarriesTheTgidAggregateIn1172Bytes() throws Exception {
        Taskstats pid = Taskstats.builder().set(TaskstatsField.AC_PID, 100).build();
        Taskstats group = Taskstats.builder().set(TaskstatsField.CPU_COUNT, 3).build();
        NetlinkMessage m = TaskstatsEvent.exitWithGroup(1, 100, pid, 100, group).encode(31);
        assertThat(m.length()).isEqualTo(TaskstatsProtocol.EVENT_WITH_TGID_LENGTH);
        ByteBuffer b = ByteBuffer.wrap(m.toBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getShort(596)).isEqualTo((short) 576);
        assertThat(b.getShort(598)).isEqualTo((short) TaskstatsProtocol.TYPE_AGGR_TGID);
        assertThat(b.getShort(602)).isEqualTo((short) TaskstatsProtocol.TYPE_TGID);
        TaskstatsEvent e = TaskstatsEvent.decode(m);
        assertThat(e.tgid().orElseThrow().id()).isEqualTo(100);
        assertThat(e.tgid().orElseThrow().stats().get(TaskstatsField.CPU_COUNT)).isEqualTo(3);
    }

    @Test
    void olderAndNewerStructVersionsDecodeBySizeFromNlaLen() throws Exception {
        for (int size : new int[] {328, 416, 432, 560, 688}) { // v8, v13, v14, v16, a future v17
            byte[] raw = new byte[size];
            raw[0] = (byte) (size == 688 ? 17 : size == 416 ? 13 : 16);
            raw[128] = 42; // ac_pid
            NetlinkMessage m = rawEvent(raw);
            Taskstats t = TaskstatsEvent.decode(m).pid().orElseThrow().stats();
            assertThat(t.size()).isEqualTo(size);
            assertThat(t.get(TaskstatsField.AC_PID)).isEqualTo(42);
            assertThat(t.has(TaskstatsField.IRQ_DELAY_MIN)).isEqualTo(size >= 560);
            assertThat(t.get(TaskstatsField.IRQ_DELAY_MIN)).isZero();
            assertThat(t.toBytes()).isEqualTo(raw);
        }
    }

    private static NetlinkMessage rawEvent(byte[] stats) {
        var b = io.tsfleet.protocol.netlink.MessageBuilder.genl(TaskstatsProtocol.CMD_NEW, 1);
        int nest = b.beginNest(TaskstatsProtocol.TYPE_AGGR_PID);
        b.u32(TaskstatsProtocol.TYPE_PID, 42).attribute(TaskstatsProtocol.TYPE_STATS, stats).endNest(nest);
        return b.build(31, 0, 5, 0);
    }

    @Test
    void recordedEventLayoutsAreTheOnesWeEncode() {
        for (JsonNode c : KernelOracle.load().cases("event-layout")) {
            for (JsonNode msg : c.get("observed").get("messages")) {
                JsonNode shape = msg.has("shape") ? msg.get("shape") : msg;
                int len = shape.get("nlmsg_len").asInt();
                int nests = shape.get("layout").size();
                assertThat(len).isEqualTo(nests == 2 ? TaskstatsProtocol.EVENT_WITH_TGID_LENGTH : TaskstatsProtocol.EVENT_LENGTH);
                shape.get("layout").forEach(n -> assertThat(n.get("nla_len").asInt()).isEqualTo(TaskstatsProtocol.AGGR_NEST_LENGTH));
            }
        }
    }

    @Test
    void getReplyForATgidQueryHasOnlyTheTgidNest() throws Exception {
        Taskstats t = Taskstats.builder().build();
        NetlinkMessage reply = new TaskstatsEvent(9, 1234, java.util.Optional.empty(),
                java.util.Optional.of(new TaskstatsEvent.Aggregate(1, t))).encode(31);
        assertThat(reply.length()).isEqualTo(596);
        assertThat(reply.seq()).isEqualTo(9);
        assertThat(reply.portId()).isEqualTo(1234);
        AttributeList attrs = GenlMessage.of(reply).attributes(true);
        NlAttribute nest = attrs.require(TaskstatsProtocol.TYPE_AGGR_TGID);
        assertThat(nest.nested().require(TaskstatsProtocol.TYPE_TGID).u32()).isEqualTo(1);
    }
}
