package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The hot-path encoder against the protocol module's reference encoder, and the generator's invariants. */
class EventEncodingTest {

    @Property(tries = 200)
    void fastEncoderIsByteIdenticalToTheReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4_000_000) int pid,
                                                  @ForAll @IntRange(min = 0, max = 1 << 20) int seq, @ForAll boolean withGroup) {
        StatsVector pidRec = StatsGenerator.generate(seed, TaskProfile.COMMON.get(Math.floorMod(seed, TaskProfile.COMMON.size())),
                new StatsGenerator.Identity(pid, pid, 1, true, 1_700_000_000L, 5_000), 5_000);
        StatsVector group = withGroup ? pidRec.copy() : null;
        byte[] fast = EventEncoder.setSeq(EventEncoder.exitEvent(31, pid, pidRec, pid, group), seq);
        byte[] structBytes = Arrays.copyOfRange(fast, 36, 36 + 560);
        TaskstatsEvent ref = withGroup
                ? TaskstatsEvent.exitWithGroup(seq, pid, Taskstats.decode(structBytes), pid, Taskstats.decode(Arrays.copyOfRange(fast, 596 + 16, 596 + 16 + 560)))
                : TaskstatsEvent.exit(seq, pid, Taskstats.decode(structBytes));
        assertThat(fast).isEqualTo(ref.encode(31).toBytes());
        assertThat(Taskstats.decode(structBytes).comm()).isEqualTo(pidRec.comm());
    }

    @Property(tries = 300)
    void generatedStatisticsKeepTheKernelsRelations(@ForAll long seed, @ForAll @LongRange(min = 0, max = 86_400_000_000L) long etimeUs) {
        TaskProfile p = TaskProfile.COMMON.get(Math.floorMod(seed, TaskProfile.COMMON.size()));
        StatsVector s = StatsGenerator.generate(seed, p, new StatsGenerator.Identity(1234, 1234, 1, true, 1_700_000_000L, etimeUs), etimeUs);
        assertThat(s.get(TaskstatsField.AC_UTIME) + s.get(TaskstatsField.AC_STIME)).isLessThanOrEqualTo(Math.max(etimeUs, 0));
        for (String d : new String[] {"cpu", "blkio", "swapin", "wpcopy", "irq"}) {
            long total = s.get(TaskstatsField.valueOf(d.toUpperCase() + "_DELAY_TOTAL"));
            long max = s.get(TaskstatsField.valueOf(d.toUpperCase() + "_DELAY_MAX"));
            long min = s.get(TaskstatsField.valueOf(d.toUpperCase() + "_DELAY_MIN"));
            assertThat(min).isLessThanOrEqualTo(max);
            assertThat(max).isLessThanOrEqualTo(total);
        }
        assertThat(s.get(TaskstatsField.READ_BYTES) % 4096).isZero();
        assertThat(s.get(TaskstatsField.READ_BYTES)).isLessThanOrEqualTo(s.get(TaskstatsField.READ_CHAR));
        assertThat(s.get(TaskstatsField.CPU_COUNT)).isPositive();
        assertThat(s.get(TaskstatsField.VERSION)).isEqualTo(16);
        StatsVector again = StatsGenerator.generate(seed, p, new StatsGenerator.Identity(1234, 1234, 1, true, 1_700_000_000L, etimeUs), etimeUs);
        byte[] a = new byte[560];
        byte[] b = new byte[560];
        s.writeTo(a, 0);
        again.writeTo(b, 0);
        assertThat(a).as("same seed, same values").isEqualTo(b);
    }
}
