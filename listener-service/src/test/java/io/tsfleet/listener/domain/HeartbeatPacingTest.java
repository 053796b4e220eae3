package io.tsfleet.listener.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trigger rules and the rate limit of expedited heartbeats. */
class HeartbeatPacingTest {
    private static final Duration REGULAR = Duration.ofSeconds(2);
    private static final Duration DELAY = Duration.ofMillis(100);

    @Test
    void withoutNewsOrAWaitingStepTheRegularIntervalHolds() {
        HeartbeatPacing p = new HeartbeatPacing(DELAY);
        for (int i = 0; i < 5; i++) assertThat(p.afterHeartbeat(REGULAR, true, true, false, false)).isEqualTo(REGULAR);
    }

    @Test
    void newsIsAnsweredAfterTheDelayAndAWaitingStepBacksOffToAQuarterOfTheInterval() {
        HeartbeatPacing p = new HeartbeatPacing(DELAY);
        assertThat(p.afterHeartbeat(REGULAR, true, true, true, true)).isEqualTo(DELAY);
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, true)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, true)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, true)).isEqualTo(Duration.ofMillis(500));
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, true)).as("at most four per interval, however long the wait")
                .isEqualTo(Duration.ofMillis(500));
        // news again (the fence arrived): soon, then the step is done
        assertThat(p.afterHeartbeat(REGULAR, true, true, true, false)).isEqualTo(DELAY);
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, false)).isEqualTo(REGULAR);
    }

    @Test
    void aWaitingStepWithoutNewsStartsAtTheDelay() {
        HeartbeatPacing p = new HeartbeatPacing(DELAY);
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, true)).isEqualTo(DELAY);
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, true)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aCoordinatorThatDidNotAnswerOrAnOpenBreakerIsNotAskedSooner() {
        HeartbeatPacing p = new HeartbeatPacing(DELAY);
        assertThat(p.afterHeartbeat(REGULAR, false, true, true, true)).isEqualTo(REGULAR);
        assertThat(p.afterHeartbeat(REGULAR, true, false, true, true)).isEqualTo(REGULAR);
        assertThat(p.onNews(REGULAR, false)).isNull();
        // after a failure the backoff starts again from the delay
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, true)).isEqualTo(DELAY);
    }

    @Test
    void newsBetweenHeartbeatsAsksForOneAfterTheDelay() {
        HeartbeatPacing p = new HeartbeatPacing(DELAY);
        p.afterHeartbeat(REGULAR, true, true, false, true);
        p.afterHeartbeat(REGULAR, true, true, false, true);
        assertThat(p.onNews(REGULAR, true)).isEqualTo(DELAY);
        assertThat(p.afterHeartbeat(REGULAR, true, true, false, true)).as("the backoff starts again").isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aZeroDelayTurnsExpeditingOffAndSoDoesAnIntervalTooShortToGainFrom() {
        HeartbeatPacing off = new HeartbeatPacing(Duration.ZERO);
        assertThat(off.enabled()).isFalse();
        assertThat(off.afterHeartbeat(REGULAR, true, true, true, true)).isEqualTo(REGULAR);
        assertThat(off.onNews(REGULAR, true)).isNull();
        HeartbeatPacing p = new HeartbeatPacing(DELAY);
        Duration fast = Duration.ofMillis(400); // a quarter of it is the delay: nothing to gain
        assertThat(p.afterHeartbeat(fast, true, true, true, true)).isEqualTo(fast);
        assertThat(p.onNews(fast, true)).isNull();
        assertThatThrownBy(() -> new HeartbeatPacing(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
