package io.tsfleet.coordinator.config;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The coordinator's tick runs every {@code tsfleet.coordinator.tick-interval}: the scheduler reads that setting. */
@SpringBootTest(properties = {
        "tsfleet.coordinator.possible-cpus=0-3",
        "tsfleet.coordinator.store=memory",
        "tsfleet.coordinator.tick-interval=7s",
        "tsfleet.coordinator.security.admin-tokens=admin",
        "tsfleet.coordinator.security.replica-tokens=replica"})
class TickIntervalTest {
    @Autowired
    ScheduledTaskHolder scheduled;

    @Test
    void theTickIsScheduledWithTheConfiguredFixedDelay() {
        assertThat(scheduled.getScheduledTasks())
                .extracting(t -> t.getTask())
                .filteredOn(FixedDelayTask.class::isInstance)
                .extracting(t -> ((FixedDelayTask) t).getIntervalDuration())
                .containsExactly(Duration.ofSeconds(7));
    }
}
