package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.coordinator.domain.fleet.HeartbeatAdmission.Verdict;
import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every verdict of the admission, decided from the membership alone. */
class HeartbeatAdmissionTest {
    private final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    private final Membership membership = new Membership();
    private final HeartbeatAdmission admission = new HeartbeatAdmission(Duration.ofSeconds(10), 3, false);

    private static HeartbeatReport hb(String id, String incarnation, long generation) {
        return new HeartbeatReport(id, incarnation, generation, false, CpuSet.EMPTY, new int[0], new double[0], new long[0], 0, 0, 0, 0, 0,
                Map.of(), CpuSet.EMPTY, null, null);
    }

    @Test
    void aNewIdJoinsAndTheSameProcessContinues() {
        assertThat(admission.judge(hb("a", "ia", 0), membership, 5, t0)).isInstanceOf(Verdict.Joins.class);
        Member a = membership.join("a", "ia", t0);
        assertThat(admission.judge(hb("a", "ia", 5), membership, 5, t0.plusSeconds(2))).isEqualTo(new Verdict.Continues(a));
    }

    @Test
    void anotherProcessWaitsForTheLiveOnesLeaseThenRestartsIt() {
        Member a = membership.join("a", "ia", t0);
        Verdict early = admission.judge(hb("a", "ia-2", 0), membership, 5, t0.plusSeconds(10));
        assertThat(early).isInstanceOfSatisfying(Verdict.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(HeartbeatRefusal.INCARNATION_LIVE);
            assertThat(r.message()).contains("lease expires at 2030-01-01T00:00:10Z");
            assertThat(r.stale()).isFalse();
        });
        assertThat(admission.judge(hb("a", "ia-2", 0), membership, 5, t0.plusSeconds(11))).isEqualTo(new Verdict.Restarts(a));
    }

    @Test
    void aRecoveredMemberIsConfirmedByItsOwnProcessAndRestartedAtOnceByAnother() {
        Member a = membership.presume("a", CpuSet.range(0, 3), false, "ia", t0);
        Member b = membership.presume("b", CpuSet.range(4, 7), false, null, t0);
        assertThat(admission.judge(hb("a", "ia", 5), membership, 5, t0)).isEqualTo(new Verdict.Confirms(a));
        assertThat(admission.judge(hb("a", "ia-2", 0), membership, 5, t0)).isEqualTo(new Verdict.Restarts(a));
        assertThat(admission.judge(hb("b", "anything", 5), membership, 5, t0)).as("incarnation not recorded").isEqualTo(new Verdict.Confirms(b));
    }

    @Test
    void refusals() {
        membership.join("a", "ia", t0);
        membership.retire("a", "old");
        assertThat(admission.judge(hb("a", "old", 1), membership, 5, t0)).isInstanceOfSatisfying(Verdict.Refused.class,
                r -> assertThat(r.stale()).isTrue());
        assertThat(admission.judge(hb("a", "ia", 6), membership, 5, t0)).isInstanceOfSatisfying(Verdict.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(HeartbeatRefusal.UNISSUED_GENERATION));
        assertThat(new HeartbeatAdmission(Duration.ofSeconds(10), 3, true).judge(hb("z", "iz", 6), membership, 5, t0))
                .as("a coordinator that started empty adopts a joining replica's generation").isInstanceOf(Verdict.Joins.class);
        membership.join("b", "ib", t0);
        membership.join("c", "ic", t0);
        assertThat(admission.judge(hb("d", "id", 0), membership, 5, t0)).isInstanceOfSatisfying(Verdict.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(HeartbeatRefusal.MEMBER_LIMIT));
    }
}
