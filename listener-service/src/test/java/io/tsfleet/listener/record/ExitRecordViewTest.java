package io.tsfleet.listener.record;

import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class ExitRecordViewTest {
    private static final int FAMILY = 31;

    static Taskstats stats(long pid, String comm) {
        return Taskstats.builder().set(TaskstatsField.AC_PID, pid).set(TaskstatsField.AC_TGID, pid + 1).set(TaskstatsField.AC_EXITCODE, 1792)
                .set(TaskstatsField.CPU_DELAY_TOTAL, -1L).set(TaskstatsField.IRQ_DELAY_TOTAL, 77).comm(comm).build();
    }

    @Test
    void readsASingleTaskEventInPlace() {
        byte[] frame = TaskstatsEvent.exit(0xFFFF_FFFE, 4242, stats(4242, "bash")).encode(FAMILY).toBytes();
        assertThat(frame).hasSize(TaskstatsProtocol.EVENT_LENGTH);
        ExitRecordView v = new ExitRecordView();
        assertThat(v.wrap(ExitRecordView.littleEndian(frame), 0, 5)).isTrue();
        assertThat(v.cpu()).isEqualTo(5);
        assertThat(v.seq()).isEqualTo(0xFFFF_FFFEL);
        assertThat(v.pid()).isEqualTo(4242);
        assertThat(v.tgid()).isEqualTo(4243);
        assertThat(v.exitCode()).isEqualTo(1792);
        assertThat(v.comm()).isEqualTo("bash");
        assertThat(v.field(TaskstatsField.CPU_DELAY_TOTAL)).isEqualTo(-1L);
        assertThat(v.field(TaskstatsField.IRQ_DELAY_TOTAL)).isEqualTo(77);
        assertThat(v.statsLength()).isEqualTo(560);
        assertThat(v.hasTgidAggregate()).isFalse();
    }

    @Test
    void readsTheGroupAggregateOfAnEventWithTwoNests() {
        Taskstats group = Taskstats.builder().set(TaskstatsField.CPU_COUNT, 9).build();
        byte[] frame = TaskstatsEvent.exitWithGroup(1, 100, stats(100, "worker"), 99, group).encode(FAMILY).toBytes();
        assertThat(frame).hasSize(TaskstatsProtocol.EVENT_WITH_TGID_LENGTH);
        ExitRecordView v = new ExitRecordView();
        assertThat(v.wrap(ExitRecordView.littleEndian(frame), 0, 0)).isTrue();
        assertThat(v.hasTgidAggregate()).isTrue();
        assertThat(v.tgid()).isEqualTo(99);
        assertThat(v.tgidField(TaskstatsField.CPU_COUNT)).isEqualTo(9);
    }

    @Test
    void aShorterOlderStructLacksTheLaterFields() {
        byte[] v8 = Arrays.copyOf(stats(7, "old").toBytes(), 328);
        byte[] frame = TaskstatsEvent.exit(3, 7, Taskstats.decode(v8)).encode(FAMILY).toBytes();
        ExitRecordView v = new ExitRecordView();
        assertThat(v.wrap(ExitRecordView.littleEndian(frame), 0, 0)).isTrue();
        assertThat(v.has(TaskstatsField.FREEPAGES_DELAY_TOTAL)).isTrue();
        assertThat(v.has(TaskstatsField.THRASHING_COUNT)).isFalse();
        assertThat(v.field(TaskstatsField.IRQ_DELAY_TOTAL)).isZero();
        assertThat(v.tgid()).isEqualTo(-1);
    }

    @Test
    void rejectsTruncatedOrForeignMessages() {
        byte[] frame = TaskstatsEvent.exit(3, 7, stats(7, "x")).encode(FAMILY).toBytes();
        ExitRecordView v = new ExitRecordView();
        byte[] truncated = Arrays.copyOf(frame, 100);
        ByteBuffer.wrap(truncated).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 100);
        assertThat(v.wrap(ExitRecordView.littleEndian(truncated), 0, 0)).isFalse();
        byte[] badNest = frame.clone();
        badNest[20] = (byte) 0xFF; // AGGR_PID nla_len beyond the message
        badNest[21] = (byte) 0x7F;
        assertThat(v.wrap(ExitRecordView.littleEndian(badNest), 0, 0)).isFalse();
        byte[] notNew = frame.clone();
        notNew[16] = (byte) TaskstatsProtocol.CMD_GET;
        assertThat(v.wrap(ExitRecordView.littleEndian(notNew), 0, 0)).isFalse();
    }

    @Test
    void theCommonLayoutAndTheGeneralWalkReadTheSameRecord() {
        byte[] common = TaskstatsEvent.exit(12, 4242, stats(4242, "cc1")).encode(FAMILY).toBytes();
        byte[] flagged = common.clone(); // NLA_F_NESTED on the AGGR_PID nest: not the exact common layout, so walked
        flagged[23] |= (byte) 0x80;
        ExitRecordView fast = new ExitRecordView();
        ExitRecordView walked = new ExitRecordView();
        assertThat(fast.wrap(ExitRecordView.littleEndian(common), 0, 3)).isTrue();
        assertThat(walked.wrap(ExitRecordView.littleEndian(flagged), 0, 3)).isTrue();
        assertThat(fast.pid()).isEqualTo(walked.pid()).isEqualTo(4242);
        assertThat(fast.pidStatsOffset()).isEqualTo(walked.pidStatsOffset()).isEqualTo(36);
        assertThat(fast.statsLength()).isEqualTo(walked.statsLength()).isEqualTo(560);
        for (TaskstatsField f : TaskstatsField.values()) {
            if (java.util.Set.of(1, 2, 4, 8).contains(f.size())) assertThat(fast.field(f)).as(f.cName()).isEqualTo(walked.field(f));
        }
        assertThat(fast.comm()).isEqualTo(walked.comm()).isEqualTo("cc1");
        byte[] shortPid = common.clone(); // a PID attribute of the wrong length is neither layout: refused
        shortPid[24] = 6;
        assertThat(fast.wrap(ExitRecordView.littleEndian(shortPid), 0, 3)).isFalse();
    }

    /** The sink writer points a view at the batch's copy from the layout the reader saved: the same record, unparsed. */
    @Test
    void aRestoredLayoutReadsTheCopyAsTheParsedFrame() {
        Taskstats group = Taskstats.builder().set(TaskstatsField.CPU_COUNT, 9).comm("grp").build();
        byte[][] frames = {TaskstatsEvent.exit(0xFFFF_FFF0, 4242, stats(4242, "cc1")).encode(FAMILY).toBytes(),
                TaskstatsEvent.exitWithGroup(7, 100, stats(0xFFFF_FFFFL, "worker"), 0xFFFF_FFFEL, group).encode(FAMILY).toBytes()};
        for (byte[] frame : frames) {
            byte[] at3 = new byte[frame.length + 3]; // the reader's buffer: the frame somewhere inside
            System.arraycopy(frame, 0, at3, 3, frame.length);
            ExitRecordView parsed = new ExitRecordView();
            assertThat(parsed.wrap(ExitRecordView.littleEndian(at3), 3, 2)).isTrue();
            int[] layout = new int[1 + ExitRecordView.LAYOUT_INTS];
            parsed.saveLayout(layout, 1);
            byte[] copy = new byte[frame.length + 40]; // the batch: the copy elsewhere
            System.arraycopy(frame, 0, copy, 40, frame.length);
            ExitRecordView restored = new ExitRecordView();
            restored.restore(ExitRecordView.littleEndian(copy), 40, 2, RecordOrigin.UNKNOWN, layout, 1);
            assertThat(restored.cpu()).isEqualTo(2);
            assertThat(restored.seq()).isEqualTo(parsed.seq());
            assertThat(restored.pid()).isEqualTo(parsed.pid());
            assertThat(restored.tgid()).isEqualTo(parsed.tgid());
            assertThat(restored.comm()).isEqualTo(parsed.comm());
            assertThat(restored.statsLength()).isEqualTo(parsed.statsLength());
            assertThat(restored.hasTgidAggregate()).isEqualTo(parsed.hasTgidAggregate());
            assertThat(restored.tgidStatsLength()).isEqualTo(parsed.tgidStatsLength());
            for (TaskstatsField f : TaskstatsField.values()) {
                if (java.util.Set.of(1, 2, 4, 8).contains(f.size())) {
                    assertThat(restored.field(f)).as(f.cName()).isEqualTo(parsed.field(f));
                    assertThat(restored.tgidField(f)).as("tgid " + f.cName()).isEqualTo(parsed.tgidField(f));
                }
            }
            assertThat(restored.copyFrame()).isEqualTo(frame);
        }
        assertThat(frames[1]).hasSize(TaskstatsProtocol.EVENT_WITH_TGID_LENGTH);
    }
}
