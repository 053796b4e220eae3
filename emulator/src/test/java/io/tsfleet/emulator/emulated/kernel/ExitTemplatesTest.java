package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The stamped events of generated exits: what each exit owns is its own, the rest is a well-formed generated record. */
class ExitTemplatesTest {
    private static final long NOW = 1_780_000_000_123_456_789L;
    private static final ExitTemplates TEMPLATES = new ExitTemplates(17L);

    @Property(tries = 300)
    void anEventCarriesItsOwnPidStartAndExitStatus(@ForAll long taskSeed, @ForAll @IntRange(min = 1, max = 4_194_303) int pid,
                                                   @ForAll @IntRange(min = 16, max = 0xFFFF) int familyId,
                                                   @ForAll @LongRange(min = 1_600_000_000_000_000_000L, max = 1_900_000_000_000_000_000L) long now) {
        byte[] event = TEMPLATES.exitEvent(taskSeed, familyId, pid, now);
        Taskstats s = Taskstats.decode(Arrays.copyOfRange(event, 36, 36 + TaskstatsProtocol.STRUCT_SIZE));

        // the bytes are exactly what the reference encoder makes of the struct they carry
        assertThat(event).isEqualTo(TaskstatsEvent.exit(0, pid, s).encode(familyId).toBytes());
        assertThat(s.get(TaskstatsField.AC_PID)).isEqualTo(pid);
        assertThat(s.get(TaskstatsField.AC_TGID)).isEqualTo(pid);
        assertThat(s.get(TaskstatsField.AC_PPID)).isEqualTo(1);
        long btime = (now - s.get(TaskstatsField.AC_ETIME) * 1000) / 1_000_000_000L;
        assertThat(s.get(TaskstatsField.AC_BTIME64)).isEqualTo(btime);
        assertThat(s.get(TaskstatsField.AC_BTIME)).isEqualTo(btime & 0xFFFF_FFFFL);
        assertThat(s.get(TaskstatsField.AC_TGETIME)).as("a single-threaded group lives as long as its thread").isEqualTo(s.get(TaskstatsField.AC_ETIME));
        long flags = s.get(TaskstatsField.AC_FLAG);
        assertThat(flags & TaskstatsProtocol.AGROUP).as("the last thread of its group").isNotZero();
        long exitCode = s.get(TaskstatsField.AC_EXITCODE);
        assertThat(exitCode).isIn(0L, 256L, 9L, 15L);
        assertThat((flags & TaskstatsProtocol.AXSIG) != 0).as("killed by a signal").isEqualTo(exitCode == 9 || exitCode == 15);
        assertThat(s.get(TaskstatsField.VERSION)).isEqualTo(TaskstatsProtocol.STRUCT_VERSION);
        assertThat(s.comm()).isIn(TaskProfile.COMMON.stream().map(TaskProfile::comm).toList());
    }

    @Test
    void theSameTaskSeedGivesTheSameValuesAndTheEventIsAFreshArray() {
        byte[] a = TEMPLATES.exitEvent(99L, 20, 1000, NOW);
        byte[] b = TEMPLATES.exitEvent(99L, 20, 1000, NOW);
        assertThat(a).isEqualTo(b).isNotSameAs(b);
        a[100] ^= 1; // a listener's copy may be written (its sequence number): the template stays as it was
        assertThat(TEMPLATES.exitEvent(99L, 20, 1000, NOW)).isEqualTo(b);
        assertThat(new ExitTemplates(17L).exitEvent(99L, 20, 1000, NOW)).as("the pool is a function of the seed").isEqualTo(b);
        assertThat(new ExitTemplates(18L).exitEvent(99L, 20, 1000, NOW)).isNotEqualTo(b);
    }

    @Test
    void exitsSpreadOverThePoolsValueSetsAndExitStatuses() {
        SplittableRandom seeds = new SplittableRandom(5);
        Set<Long> cpuTimes = new HashSet<>();
        Set<String> comms = new HashSet<>();
        int[] statuses = new int[4];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            byte[] event = TEMPLATES.exitEvent(seeds.nextLong(), 20, 300 + i, NOW);
            Taskstats s = Taskstats.decode(Arrays.copyOfRange(event, 36, 36 + TaskstatsProtocol.STRUCT_SIZE));
            cpuTimes.add(s.get(TaskstatsField.CPU_RUN_REAL_TOTAL) * 31 + s.get(TaskstatsField.AC_ETIME));
            comms.add(s.comm());
            long code = s.get(TaskstatsField.AC_EXITCODE);
            statuses[code == 0 ? 0 : code == 256 ? 1 : code == 9 ? 2 : 3]++;
        }
        assertThat(cpuTimes.size()).as("distinct value sets").isGreaterThan(ExitTemplates.SIZE * 9 / 10);
        assertThat(comms).hasSameSizeAs(TaskProfile.COMMON.stream().map(TaskProfile::comm).distinct().toList());
        assertThat(statuses[0] / (double) n).isBetween(0.93, 0.95);
        assertThat(statuses[1] / (double) n).isBetween(0.035, 0.045);
        assertThat(statuses[2] / (double) n).isBetween(0.007, 0.013);
        assertThat(statuses[3] / (double) n).isBetween(0.007, 0.013);
    }
}
