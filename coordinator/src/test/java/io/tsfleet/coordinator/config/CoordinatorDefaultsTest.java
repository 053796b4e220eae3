package io.tsfleet.coordinator.config;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each default of {@code tsfleet.coordinator.*} is written in one place: the {@code @DefaultValue}s of
 * {@link CoordinatorProperties}. {@code application.yaml} adds only the state file's, which needs the environment
 * ({@code XDG_STATE_HOME}, {@code user.home}). The values are the ones docs/operations.md and docs/coordinator.md give.
 */
class CoordinatorDefaultsTest {

    @Test
    void applicationYamlSetsNoCoordinatorKeyButTheStateFile() throws IOException {
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("application", new ClassPathResource("application.yaml"));
        List<String> keys = sources.stream().flatMap(s -> Arrays.stream(((EnumerablePropertySource<?>) s).getPropertyNames()))
                .filter(k -> k.startsWith("tsfleet.coordinator.")).toList();
        assertThat(keys).containsExactly("tsfleet.coordinator.state-file");
    }

    @Test
    void theRecordHoldsTheDocumentedDefaults() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "tsfleet.coordinator.possible-cpus", "0-7", "tsfleet.coordinator.state-file", "/tmp/state.json")));
        CoordinatorProperties p = binder.bind("tsfleet.coordinator", CoordinatorProperties.class).get();
        assertThat(p.store()).isEqualTo(CoordinatorProperties.StoreKind.FILE);
        assertThat(p.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.lease()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.tickInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.loadSmoothing()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.maxRequestBody()).isEqualTo(DataSize.ofMegabytes(1));
        assertThat(p.auditCapacity()).isEqualTo(1000);
        assertThat(p.handover().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.scaling().maxReplicas()).isEqualTo(256);
    }
}
