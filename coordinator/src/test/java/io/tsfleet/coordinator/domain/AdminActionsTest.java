package io.tsfleet.coordinator.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminActionsTest {
    private final CoreFixture core = new CoreFixture();

    @Test
    void aPinTakesItsCpusFromOtherPinsAndIsAudited() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.heartbeat(Heartbeats.empty("b", "ib", 0));
        core.pins.put("b", Heartbeats.cpus("0-3"));
        core.effects.drain();

        core.admin.pin("a", Heartbeats.cpus("2-5"), core.clock.instant(), core.effects);

        assertThat(core.pins).containsEntry("a", Heartbeats.cpus("2-5")).containsEntry("b", Heartbeats.cpus("0-1"));
        assertThat(core.effects.drain().events()).extracting(Effects.Stamped::event)
                .containsExactly(new FleetEvent.MaskSet("a", Heartbeats.cpus("2-5")));
    }

    @Test
    void aDrainingReplicaCannotBePinnedAndNothingChanges() {
        core.heartbeat(Heartbeats.empty("a", "ia", 0));
        core.admin.drain("a", core.clock.instant(), core.effects);
        core.effects.drain();

        assertThatThrownBy(() -> core.admin.pin("a", Heartbeats.cpus("0"), core.clock.instant(), core.effects))
                .isInstanceOf(CoordinatorException.Conflict.class);
        assertThatThrownBy(() -> core.admin.unpin("nobody", core.clock.instant(), core.effects))
                .isInstanceOf(CoordinatorException.UnknownReplica.class);

        assertThat(core.pins).isEmpty();
        assertThat(core.effects.drain().isEmpty()).isTrue();
    }
}
