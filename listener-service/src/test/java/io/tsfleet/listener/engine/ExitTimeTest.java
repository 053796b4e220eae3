package io.tsfleet.listener.engine;

import io.tsfleet.listener.testing.CollectingSink;
import io.tsfleet.listener.testing.TestReplica;
import io.tsfleet.listener.testing.Wire;
import io.tsfleet.protocol.testing.FakeBroker;
import io.tsfleet.protocol.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The exit time of a record is the replica's wall clock (its injected {@link Clock}) when the reader read the record
 * from the broker, over a real broker connection; a record held back during a handover keeps the time it was read at,
 * not the time it was released.
 */
class ExitTimeTest {
    private static final Instant READ = Instant.parse("2026-12-06T11:55:00.123456789Z");
    private static final Instant LATER = Instant.parse("2026-12-06T11:57:30.000000001Z");

    private FakeBroker broker;
    private TestReplica replica;

    @AfterEach
    void stop() throws Exception {
        if (replica != null) replica.close();
        if (broker != null) broker.close();
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Test
    void recordsCarryTheWallClockTimeTheReaderReadThemAtAndHeldRecordsKeepTheirs() throws Exception {
        broker = new FakeBroker(null, 2).start();
        ManualClock clock = new ManualClock(READ);
        replica = new TestReplica(broker.address(), null, 1 << 20, 64, 10_000, clock);
        replica.engine.apply(Wire.directive(1, "0-1", Map.of(), 100, 5000));
        await().atMost(Duration.ofSeconds(10)).until(replica.engine::ready);

        for (int i = 0; i < 6; i++) assertThat(broker.exit(i % 2, 100 + i, "t", false)).isNotNegative();
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 6);
        assertThat(replica.sink.records()).extracting(CollectingSink.Rec::timeEpochNanos).containsOnly(nanos(READ));

        // CPU 1 leaves (no fence yet): its records are held back, read at READ
        replica.engine.apply(Wire.directive(2, "0", Map.of(), 100, 5000));
        for (int i = 0; i < 4; i++) assertThat(broker.exit(1, 200 + i, "held", false)).isNotNegative();
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.engine.heldRecords() == 4);
        clock.set(LATER);
        // back in the target: the held records are written now, with the time they were read at
        replica.engine.apply(Wire.directive(3, "0-1", Map.of(), 100, 5000));
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 10);
        assertThat(replica.sink.records().subList(6, 10)).extracting(CollectingSink.Rec::timeEpochNanos).containsOnly(nanos(READ));

        assertThat(broker.exit(0, 300, "later", false)).isNotNegative();
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.sink.size() == 11);
        assertThat(replica.sink.records().get(10).timeEpochNanos()).isEqualTo(nanos(LATER));
    }
}
