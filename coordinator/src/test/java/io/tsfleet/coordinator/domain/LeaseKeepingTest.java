package io.tsfleet.coordinator.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseKeepingTest {
    private final CoreFixture core = new CoreFixture();
    private final Duration lease = core.settings.lease();

    @Test
    void aReplicaSilentForALeaseExpiresWhileAnotherOneIsHeard() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.heartbeat(Heartbeats.empty("b", "ib", 0));
        for (int i = 0; i < 6; i++) {
            core.clock.advance(lease.dividedBy(4));
            core.leases.creditStall(core.clock.instant(), core.effects);
            core.heartbeat(Heartbeats.empty("b", "ib", 0));
        }
        core.effects.drain();

        boolean left = core.leases.expire(core.clock.instant(), core.effects);

        assertThat(left).isTrue();
        assertThat(core.membership.contains("a")).isFalse();
        assertThat(core.effects.drain().events()).extracting(Effects.Stamped::event).containsExactly(new FleetEvent.Expired("a", lease));
    }

    @Test
    void timeInWhichTheCoordinatorDidNotRunIsCreditedToEveryLease() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.effects.drain();
        core.clock.advance(lease.plusSeconds(5));

        core.leases.creditStall(core.clock.instant(), core.effects);
        boolean left = core.leases.expire(core.clock.instant(), core.effects);

        assertThat(left).isFalse();
        assertThat(core.membership.contains("a")).isTrue();
        assertThat(core.effects.drain().events()).extracting(Effects.Stamped::event)
                .containsExactly(new FleetEvent.Stalled(lease.plusSeconds(5)));
    }
}
