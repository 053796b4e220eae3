package io.tsfleet.protocol.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when a test (or a simulation) moves it, and never backwards. Shared through the test-jar. */
public final class ManualClock extends Clock {
    private volatile Instant now;

    public ManualClock(Instant start) {
        this.now = start;
    }

    public void advance(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("time runs backwards: " + d);
        now = now.plus(d);
    }

    public void set(Instant instant) {
        if (instant.isBefore(now)) throw new IllegalStateException("time runs backwards: " + instant + " < " + now);
        now = instant;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
