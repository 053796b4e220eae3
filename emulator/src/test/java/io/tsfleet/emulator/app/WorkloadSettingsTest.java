package io.tsfleet.emulator.app;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code tsfleet.emulator.workload.*} as Spring Boot binds it: the catch-up follows the tick unless it is set. */
class WorkloadSettingsTest {

    private static EmulatorProperties.Workload bind(Map<String, String> properties) {
        Binder binder = new Binder(new MapConfigurationPropertySource(properties));
        return binder.bindOrCreate("tsfleet.emulator.workload", Bindable.of(EmulatorProperties.Workload.class));
    }

    @Test
    void theCatchUpDefaultsToFiveTicksAndAtLeast50Ms() {
        assertThat(bind(Map.of()).maxCatchUp()).isEqualTo(Duration.ofMillis(50));
        assertThat(bind(Map.of("tsfleet.emulator.workload.tick", "100ms")).maxCatchUp()).isEqualTo(Duration.ofMillis(500));
        assertThat(bind(Map.of("tsfleet.emulator.workload.max-catch-up", "2s")).maxCatchUp()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aCatchUpShorterThanOneTickIsRefused() {
        assertThatThrownBy(() -> bind(Map.of("tsfleet.emulator.workload.max-catch-up", "5ms")))
                .isInstanceOf(BindException.class)
                .hasRootCauseMessage("max-catch-up (PT0.005S) must be at least one tick (PT0.01S)");
    }
}
