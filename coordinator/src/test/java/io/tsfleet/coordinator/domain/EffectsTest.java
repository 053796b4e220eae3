package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.counter.FleetCounter;
import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class EffectsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final Generations generations = new Generations(3);
    private final Effects effects = new Effects(clock, generations);

    @Test
    void eventsKeepTheGenerationTheyHappenedUnderAndTheirOrder() {
        effects.audit(clock.instant(), new FleetEvent.Confirmed("a"));
        generations.stamp();
        effects.strayFenced(2, "b", 9);

        Effects.Drained d = effects.drain();

        assertThat(d.events()).extracting(Effects.Stamped::generation).containsExactly(3L, 4L);
        assertThat(d.events()).extracting(Effects.Stamped::event)
                .containsExactly(new FleetEvent.Confirmed("a"), new FleetEvent.StrayFenced(2, "b", 9));
        assertThat(d.counts().get(FleetCounter.STRAY_FENCES)).isEqualTo(1);
        assertThat(effects.drain().isEmpty()).as("drained").isTrue();
    }

    @Test
    void takingAnUncoveredCpuIsCountedButNotAudited() {
        effects.ownershipTaken(1, "a", "uncovered");
        effects.ownershipTaken(2, "a", "owner b is gone");

        Effects.Drained d = effects.drain();

        assertThat(d.counts().get(FleetCounter.OWNERSHIP_TAKEN)).isEqualTo(2);
        assertThat(d.events()).extracting(Effects.Stamped::event).containsExactly(new FleetEvent.OwnershipTaken(2, "a", "owner b is gone"));
    }
}
