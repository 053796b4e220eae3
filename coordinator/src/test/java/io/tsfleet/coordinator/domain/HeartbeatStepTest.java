package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.HeartbeatStep.Outcome;
import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.fleet.HeartbeatRefusal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatStepTest {
    private final CoreFixture core = new CoreFixture();

    @Test
    void aNewReplicaJoinsAndTheStepAsksForAMembershipPlan() {
        Outcome o = core.heartbeat(Heartbeats.of("a", "ia", 0, "0-3", 10, Map.of(), ""));

        assertThat(o).isEqualTo(new Outcome.Accepted("a", true, false, true));
        assertThat(core.membership.contains("a")).isTrue();
        Effects.Drained fx = core.effects.drain();
        assertThat(fx.events()).extracting(Effects.Stamped::event).containsExactly(new FleetEvent.Joined("a", Heartbeats.cpus("0-3")));
        assertThat(fx.events().getFirst().time()).isEqualTo(core.clock.instant());
    }

    @Test
    void aSecondProcessWithALiveReplicasIdIsRefusedAndOnlyCounted() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.effects.drain();
        core.clock.advance(Duration.ofSeconds(1));

        Outcome o = core.heartbeat(Heartbeats.empty("a", "other", 0));

        assertThat(o).isInstanceOfSatisfying(Outcome.Refused.class, r -> assertThat(r.reason()).isEqualTo(HeartbeatRefusal.INCARNATION_LIVE));
        assertThat(core.membership.get("a").incarnation()).isEqualTo("ia");
        Effects.Drained fx = core.effects.drain();
        assertThat(fx.events()).isEmpty();
        assertThat(fx.counts().get(FleetCounter.HEARTBEATS_REFUSED_INCARNATION_LIVE)).isEqualTo(1);
    }

    @Test
    void aHeartbeatOfAGenerationBelowWhatTheReplicaAppliedIsStaleAndAppliesNothing() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.heartbeat(Heartbeats.of("a", "ia", 0, "0-1", 10, Map.of(), ""));
        core.generations.stamp();
        core.generations.commit();
        core.heartbeat(Heartbeats.of("a", "ia", 1, "0-1", 10, Map.of(), ""));
        core.effects.drain();

        Outcome o = core.heartbeat(Heartbeats.of("a", "ia", 0, "0-3", 10, Map.of(), ""));

        assertThat(o).isEqualTo(new Outcome.Accepted("a", false, true, false));
        assertThat(core.membership.get("a").owned()).isEqualTo(Heartbeats.cpus("0-1"));
        assertThat(core.effects.drain().counts().get(FleetCounter.STALE_HEARTBEATS)).isEqualTo(1);
    }

    @Test
    void aReplicaReportingDrainingStartsDrainingAndLosesItsPin() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.pins.put("a", Heartbeats.cpus("0-1"));
        core.effects.drain();

        Outcome o = core.heartbeat(Heartbeats.of("a", "ia", 0, "DRAINING", "", 0, 10, Map.of(), ""));

        assertThat(o).isEqualTo(new Outcome.Accepted("a", false, false, true));
        assertThat(core.membership.get("a").draining()).isTrue();
        assertThat(core.pins).doesNotContainKey("a");
        assertThat(core.effects.drain().events()).extracting(Effects.Stamped::event).containsExactly(new FleetEvent.DrainStarted("a", false));
    }
}
