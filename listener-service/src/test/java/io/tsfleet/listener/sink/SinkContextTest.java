package io.tsfleet.listener.sink;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Typed sink options read sizes and durations as Spring Boot reads its own settings (so {@code 512MB} means the same in
 * {@code sink-options} as in {@code sink-queue}), without the sink package depending on Spring.
 */
class SinkContextTest {

    @Provide
    Arbitrary<String> sizeUnits() {
        return Arbitraries.of("", "B", "KB", "MB", "GB", "TB");
    }

    @Provide
    Arbitrary<String> durationUnits() {
        return Arbitraries.of("", "ns", "us", "ms", "s", "m", "h", "d");
    }

    @Property(tries = 300)
    void sizesAreReadAsSpringBootReadsThem(@ForAll @LongRange(min = 0, max = 1_000_000) long n, @ForAll("sizeUnits") String unit) {
        assertThat(SinkContext.parseSize(n + unit)).isEqualTo(DataSize.parse(n + unit).toBytes());
    }

    @Property(tries = 300)
    void durationsAreReadAsSpringBootReadsThem(@ForAll @LongRange(min = 0, max = 1_000_000) long n, @ForAll("durationUnits") String unit) {
        assertThat(SinkContext.parseDuration(n + unit)).isEqualTo(DurationStyle.detectAndParse(n + unit));
    }

    @Test
    void typedOptionsAndTheirErrors() {
        SinkContext c = new SinkContext("r", Map.of("size", "512MB", "lower", "64kb", "d", "5s", "iso", "PT1M", "bare", "250",
                "bad", "lots", "big", "99999999999TB", "b", "TRUE"));
        assertThat(c.sizeOption("size", 0, 1)).isEqualTo(512L * 1024 * 1024);
        assertThat(c.sizeOption("lower", 0, 1)).isEqualTo(64 * 1024);
        assertThat(c.sizeOption("missing", 7, 1)).isEqualTo(7);
        assertThat(c.durationOption("d", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.durationOption("iso", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.durationOption("bare", Duration.ZERO, Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(c.booleanOption("b", false)).isTrue();
        assertThatThrownBy(() -> c.sizeOption("bad", 0, 1)).hasMessage("sink option bad='lots' is not a size (like 512MB, 64KB or 4096)");
        assertThatThrownBy(() -> c.sizeOption("big", 0, 1)).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> c.sizeOption("lower", 0, 1 << 20)).hasMessage("sink option lower=64kb is below 1048576 bytes");
        assertThatThrownBy(() -> c.durationOption("bad", Duration.ZERO, Duration.ZERO))
                .hasMessage("sink option bad='lots' is not a duration (like 5s, 250ms or PT1M)");
        assertThatThrownBy(() -> c.durationOption("d", Duration.ZERO, Duration.ofSeconds(10))).hasMessageContaining("is below PT10S");
    }
}
